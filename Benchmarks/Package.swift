// swift-tools-version:6.1
import PackageDescription

/// Benchmarks for the engine and its edges, kept out of the root package so that building or testing
/// the server never resolves or compiles the benchmark library.
///
/// Run from this directory: `swift package benchmark` (see README.md).
let package = Package(
    name: "sendpromptly-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, because a path dependency is otherwise known by its folder's name, which
        // differs from clone to clone.
        .package(name: "sendpromptly", path: ".."),
        // Only the malloc interposer: it backs the allocation counts. The library's other
        // default trait, RuntimeInterposer, pulls in a package this machine does not have.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        /// What the wheel is measured against. A module of its own, so that the benchmarks call
        /// both structures across a module boundary and neither is inlined into them.
        .target(name: "TimerBaselines"),
        /// NIO's HTTP/1 server answering a static 202: the floor under our front, which
        /// `ceiling.sh` measures beside nginx (not a benchmark target; built on its own).
        .executableTarget(
            name: "StaticAnswerServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        /// What every benchmark target shares: the suite's mode (full, or CI's allocation check)
        /// and a shard with one project.
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "SendPromptlyCore", package: "sendpromptly"),
                .product(name: "Benchmark", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "TimingWheelBenchmarks",
            dependencies: [
                "TimerBaselines",
                "BenchmarkSupport",
                .product(name: "SendPromptlyCore", package: "sendpromptly"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TimingWheelBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "SnapshotBenchmarks",
            dependencies: [
                .product(name: "SendPromptlyCore", package: "sendpromptly"),
                .product(name: "SendPromptlyStorage", package: "sendpromptly"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SnapshotBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "RepairBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "SendPromptlyCore", package: "sendpromptly"),
                .product(name: "SendPromptlyRepair", package: "sendpromptly"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RepairBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "SendPromptlyCore", package: "sendpromptly"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "JournalBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "SendPromptlyCore", package: "sendpromptly"),
                .product(name: "SendPromptlyStorage", package: "sendpromptly"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/JournalBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
