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
    ],
    traits: [
        .trait(
            name: "PortableClosureABI",
            description: """
                Hand a stolen join half to its thief with `withoutActuallyEscaping` instead of \
                the two-word closure shim. Slower (one allocation per join), but it relies on \
                no underscored attribute and no knowledge of the closure ABI.
                """
        )
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.0.0"),
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
                "CTaskletsBenchShims",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tasklets-bench",
            dependencies: [
                "Tasklets",
                "TaskletsBenchKernels",
                "CTaskletsBenchShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
    ]
)
