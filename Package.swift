// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "swift-tasklets",
    products: [
        .library(name: "Tasklets", targets: ["Tasklets"]),
        .executable(name: "tasklets-bench", targets: ["tasklets-bench"]),
        // Opt-in integrations with the server-Swift ecosystem (docs/integrations.md).
        .library(name: "TaskletsMetrics", targets: ["TaskletsMetrics"]),
        .library(name: "TaskletsServiceLifecycle", targets: ["TaskletsServiceLifecycle"]),
        .library(name: "TaskletsLogging", targets: ["TaskletsLogging"]),
    ],
    traits: [
        .trait(
            name: "PortableClosureABI",
            description: """
                Hand a stolen join half to its thief with `withoutActuallyEscaping` instead of \
                the two-word closure shim. Slower (one allocation per join), but it relies on \
                no underscored attribute and no knowledge of the closure ABI.
                """
        ),
        // Each of these only decides which packages SwiftPM fetches: a client
        // that lists `traits: []` on its dependency gets none but this one
        // (docs/integrations.md, "What a client fetches").
        .trait(
            name: "Harness",
            description: "The benchmark harness's dependencies: swift-argument-parser, hdrhistogram-swift, swift-async-algorithms."
        ),
        .trait(name: "Metrics", description: "TaskletsMetrics: the pool's statistics as swift-metrics counters and gauges."),
        .trait(name: "ServiceLifecycle", description: "TaskletsServiceLifecycle: the pool as a swift-service-lifecycle Service."),
        .trait(name: "Logging", description: "TaskletsLogging: the pool's diagnostics through a swift-log Logger."),
        .default(enabledTraits: ["Harness", "Metrics", "ServiceLifecycle", "Logging"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "CTaskletsShims",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(
            name: "Tasklets",
            dependencies: ["CTaskletsShims"],
            swiftSettings: strict
        ),
        .target(
            name: "CTaskletsBenchShims",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(
            name: "TaskletsBenchKernels",
            dependencies: [
                "Tasklets",
                "CTaskletsShims",
                "CTaskletsBenchShims",
                .product(name: "Histogram", package: "hdrhistogram-swift", condition: .when(traits: ["Harness"])),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms", condition: .when(traits: ["Harness"])),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tasklets-bench",
            dependencies: [
                "Tasklets",
                "TaskletsBenchKernels",
                "CTaskletsBenchShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser", condition: .when(traits: ["Harness"])),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TaskletsMetrics",
            dependencies: [
                "Tasklets",
                .product(name: "CoreMetrics", package: "swift-metrics", condition: .when(traits: ["Metrics"])),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TaskletsServiceLifecycle",
            dependencies: [
                "Tasklets",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["ServiceLifecycle"])),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TaskletsLogging",
            dependencies: [
                "Tasklets",
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Logging"])),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CTaskletsTestSupport",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .testTarget(
            name: "TaskletsTests",
            dependencies: ["Tasklets", "CTaskletsShims", "CTaskletsTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TaskletsBenchKernelsTests",
            dependencies: ["TaskletsBenchKernels"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TaskletsIntegrationTests",
            dependencies: [
                "Tasklets",
                "TaskletsMetrics",
                "TaskletsServiceLifecycle",
                "TaskletsLogging",
                .product(name: "MetricsTestKit", package: "swift-metrics", condition: .when(traits: ["Metrics"])),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["ServiceLifecycle"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Logging"])),
            ],
            swiftSettings: strict
        ),
    ]
)
