// swift-tools-version: 6.1
// Microbenchmarks of swift-tasklets with ordo-one/benchmark. A separate
// package, so the library itself does not depend on the benchmark tooling.
// Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "swift-tasklets-benchmarks",
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // A path dependency's identity is its folder name, which differs
        // between checkouts: name it explicitly.
        .package(name: "swift-tasklets", path: "../"),
    ],
    targets: [
        .executableTarget(
            name: "TaskletsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Tasklets", package: "swift-tasklets"),
            ],
            path: "Benchmarks/TaskletsBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
