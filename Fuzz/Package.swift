// swift-tools-version:6.1
import PackageDescription

/// libFuzzer targets for the server's parsers of untrusted bytes, kept out of the root package so
/// that building or testing the server never compiles them with the sanitizers.
///
/// Build and run from this directory with `./run.sh TARGET SECONDS` (see README.md): the script
/// builds with `-Xswiftc -sanitize=fuzzer,address`, which instruments the server's modules
/// too. Each target is an executable without a `main`: libFuzzer's runtime provides it and calls
/// the target's `LLVMFuzzerTestOneInput`.
let package = Package(
    name: "sendpromptly-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path dependency is otherwise known by its folder's name, which
        // differs from clone to clone.
        .package(name: "sendpromptly", path: ".."),
        // The HTTP/1 decoder and the conversion to HTTP types that the server's pipeline uses
        // (both already built for Hummingbird).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        /// The declaration of libFuzzer's `LLVMFuzzerRunDriver`, which each target's main calls.
        .target(name: "LibFuzzerDriver"),
        /// The hand-written JSON parser against Foundation's, and the receipt and result bodies.
        .executableTarget(
            name: "IngestJSONFuzzer",
            dependencies: ["LibFuzzerDriver", .product(name: "SendPromptlyCore", package: "sendpromptly")]
        ),
        /// Raw bytes through NIO's HTTP/1 decoder, then the API's request guards.
        .executableTarget(
            name: "HTTPRequestFuzzer",
            dependencies: [
                "LibFuzzerDriver",
                .product(name: "SendPromptlyCore", package: "sendpromptly"),
                .product(name: "SendPromptlyHTTP", package: "sendpromptly"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ]
        ),
        /// Snapshot files and the shard sections inside them.
        .executableTarget(
            name: "SnapshotFuzzer",
            dependencies: [
                "LibFuzzerDriver",
                .product(name: "SendPromptlyCore", package: "sendpromptly"),
                .product(name: "SendPromptlyStorage", package: "sendpromptly"),
            ]
        ),
        /// Journal segments: the frame reader, the commands, and recovery replaying them.
        .executableTarget(
            name: "JournalFuzzer",
            dependencies: [
                "LibFuzzerDriver",
                .product(name: "SendPromptlyCore", package: "sendpromptly"),
                .product(name: "SendPromptlyStorage", package: "sendpromptly"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
