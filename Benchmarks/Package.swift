// swift-tools-version:6.1
import PackageDescription

/// Benchmarks for SendPromptlyCore, kept out of the root package so that building or testing
/// the server never resolves or compiles the benchmark library.
///
/// Run from this directory: `swift package benchmark` (see README.md).
let package = Package(
    name: "sendpromptly-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "sendpromptly", path: ".."),
        // Only the malloc interposer: it backs the allocation counts. The library's other
        // default trait, RuntimeInterposer, pulls in a package this machine does not have.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TimingWheelBenchmarks",
            dependencies: [
                .product(name: "SendPromptlyCore", package: "sendpromptly"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TimingWheelBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
