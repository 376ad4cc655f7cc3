// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "sendpromptly",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sendpromptly", targets: ["sendpromptly"]),
        .library(name: "SendPromptlyCore", targets: ["SendPromptlyCore"]),
        .library(name: "SendPromptlyEngine", targets: ["SendPromptlyEngine"]),
        .library(name: "SendPromptlyStorage", targets: ["SendPromptlyStorage"]),
        .library(name: "SendPromptlyHTTP", targets: ["SendPromptlyHTTP"]),
        .library(name: "SendPromptlyDelivery", targets: ["SendPromptlyDelivery"]),
        .library(name: "SendPromptlyRepair", targets: ["SendPromptlyRepair"]),
        .library(name: "SendPromptlyMail", targets: ["SendPromptlyMail"]),
        .library(name: "SendPromptlyAlerts", targets: ["SendPromptlyAlerts"]),
        .library(name: "SendPromptlyConsole", targets: ["SendPromptlyConsole"]),
        .library(name: "SendPromptlyBench", targets: ["SendPromptlyBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        /// The pure engine: value types, the timing wheel and the shard state machine.
        /// No I/O and no clock of its own; every instant comes from the caller.
        .target(
            name: "SendPromptlyCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Concurrency around the core: shard actors, project routing, the key directory.
        .target(
            name: "SendPromptlyEngine",
            dependencies: [
                "SendPromptlyCore",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Durability at the edge: the journal with group commit, zlib snapshots, recovery.
        .target(
            name: "SendPromptlyStorage",
            dependencies: [
                "SendPromptlyCore",
                "SendPromptlyEngine",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The operator's web console at /console: sessions, CSRF, Mustache pages compiled
        /// into the binary, server-rendered SVG charts. No JavaScript build, no CDN.
        .target(
            name: "SendPromptlyConsole",
            dependencies: [
                "SendPromptlyCore",
                "SendPromptlyEngine",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The HTTP front: routes, authentication, the wire format of ../shared/API.md.
        .target(
            name: "SendPromptlyHTTP",
            dependencies: [
                "SendPromptlyConsole",
                "SendPromptlyCore",
                "SendPromptlyEngine",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The outbox worker every deliverer runs on (resume, schedule, pace, retry, record), the
        /// outbound address policy and the HTTP POST the channels share.
        .target(
            name: "SendPromptlyDelivery",
            dependencies: [
                "SendPromptlyCore",
                "SendPromptlyEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Repair callbacks at the edge: the signed body and the HTTP channel.
        .target(
            name: "SendPromptlyRepair",
            dependencies: [
                "SendPromptlyCore",
                "SendPromptlyDelivery",
                "SendPromptlyEngine",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The SMTP client that sends alert emails: written by hand on SwiftNIO (STARTTLS,
        /// implicit TLS, AUTH PLAIN/LOGIN, MIME rendering), as no allowed package speaks SMTP.
        .target(
            name: "SendPromptlyMail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The notifier's channel: alert messages, email through SendPromptlyMail, Slack webhooks.
        .target(
            name: "SendPromptlyAlerts",
            dependencies: [
                "SendPromptlyCore",
                "SendPromptlyDelivery",
                "SendPromptlyEngine",
                "SendPromptlyMail",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        /// `sendpromptly bench`, the load generator: HTTP/1.1 keep-alive connections on SwiftNIO
        /// with pre-built requests, HdrHistogram latencies, verification over the API, reports.
        .target(
            name: "SendPromptlyBench",
            dependencies: [
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The command line: `sendpromptly serve` and friends.
        .executableTarget(
            name: "sendpromptly",
            dependencies: [
                "SendPromptlyAlerts",
                "SendPromptlyBench",
                "SendPromptlyCore",
                "SendPromptlyEngine",
                "SendPromptlyDelivery",
                "SendPromptlyHTTP",
                "SendPromptlyMail",
                "SendPromptlyRepair",
                "SendPromptlyStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// The Swift client example: a repair endpoint and the receipt/result signals (examples/).
        .executableTarget(
            name: "RepairEndpointExample",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "examples/swift/RepairEndpoint",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SendPromptlyCoreTests",
            dependencies: ["SendPromptlyCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SendPromptlyHTTPTests",
            dependencies: [
                "SendPromptlyCore",
                "SendPromptlyEngine",
                "SendPromptlyHTTP",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SendPromptlyConsoleTests",
            dependencies: [
                "SendPromptlyConsole",
                "SendPromptlyCore",
                "SendPromptlyEngine",
                "SendPromptlyHTTP",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SendPromptlyBenchTests",
            dependencies: ["SendPromptlyBench"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SendPromptlyRepairTests",
            dependencies: ["SendPromptlyDelivery", "SendPromptlyRepair"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SendPromptlyCLITests",
            dependencies: [
                "sendpromptly",
                "SendPromptlyBench",
                "SendPromptlyCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Console/console_browser_test.py"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SendPromptlyMailTests",
            dependencies: [
                "SendPromptlyMail",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Support/smtp_server.py"],
            swiftSettings: swiftSettings
        ),
        /// The journal and snapshot readers on damaged bytes (the fuzzer's regression cases).
        .testTarget(
            name: "SendPromptlyStorageTests",
            dependencies: [
                "SendPromptlyCore",
                "SendPromptlyStorage",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
