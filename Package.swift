// swift-tools-version:6.0
import PackageDescription

/// Settings every target shares: explicit `any`, and imports that say what a file uses.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Jellyfort",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "jellyfort", targets: ["jellyfort"]),
        .executable(name: "jellyfort-emulator", targets: ["jellyfort-emulator"]),
        .library(name: "JellyfinAPI", targets: ["JellyfinAPI"]),
        .library(name: "JellyfinEmulator", targets: ["JellyfinEmulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "JellyfortBase",
            resources: [.copy("Data")],
            swiftSettings: strictSettings
        ),
        .systemLibrary(
            name: "CZxcvbn",
            providers: [.apt(["libzxcvbn-dev"])]
        ),
        .target(
            name: "JellyfortPassword",
            dependencies: ["JellyfortBase", "CZxcvbn"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfinAPI",
            dependencies: [
                "JellyfortBase",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortCore",
            dependencies: ["JellyfortBase"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortControls",
            dependencies: ["JellyfortCore", "JellyfortBase"],
            resources: [.copy("Data")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortAudit",
            dependencies: ["JellyfortBase", "JellyfortCore", "JellyfortControls", "JellyfortHost", "JellyfinAPI", "JellyfortProbe"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortHost",
            dependencies: ["JellyfortCore", "JellyfortBase", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortHarden",
            dependencies: ["JellyfortBase", "JellyfinAPI", "JellyfortCore", "JellyfortControls", "JellyfortAudit", "JellyfortPassword"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortDeploy",
            dependencies: ["JellyfortBase"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortWatch",
            dependencies: [
                "JellyfortBase",
                "JellyfortDeploy",
                "JellyfortHost",
                "JellyfinAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortProbe",
            dependencies: [
                "JellyfortBase",
                "JellyfortCore",
                "JellyfinAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortReport",
            dependencies: ["JellyfortCore", "JellyfortBase"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfinEmulator",
            dependencies: [
                "JellyfinAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Scenarios")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "jellyfort",
            dependencies: [
                // Built beside it so that `swift run jellyfort demo` finds it; not linked in.
                "jellyfort-emulator",
                "JellyfortBase",
                "JellyfinAPI",
                "JellyfortCore",
                "JellyfortControls",
                "JellyfortAudit",
                "JellyfortHarden",
                "JellyfortHost",
                "JellyfortDeploy",
                "JellyfortReport",
                "JellyfortPassword",
                "JellyfortWatch",
                "JellyfortProbe",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "jellyfort-emulator",
            dependencies: [
                "JellyfinEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "jellyfort-bench",
            dependencies: [
                "JellyfortBase", "JellyfinAPI", "JellyfortAudit", "JellyfortCore", "JellyfortHarden", "JellyfortHost", "JellyfortWatch",
                "JellyfortDeploy",
            ],
            path: "Benchmarks/jellyfort-bench",
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortTestSupport",
            dependencies: [
                "JellyfortBase",
                "JellyfinAPI",
                "JellyfinEmulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/JellyfortTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortProbeTests",
            dependencies: [
                "JellyfortProbe", "JellyfortTestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfinAPITests",
            dependencies: ["JellyfortBase", "JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortControlsTests",
            dependencies: [
                "JellyfortBase", "JellyfortCore", "JellyfortControls", "JellyfortAudit", "JellyfinAPI", "JellyfinEmulator",
                "JellyfortTestSupport",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortReportTests",
            dependencies: [
                "JellyfortBase", "JellyfortCore", "JellyfortControls", "JellyfortReport", "JellyfortAudit", "JellyfinAPI",
                "JellyfinEmulator", "JellyfortTestSupport",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortHardenTests",
            dependencies: [
                "JellyfortBase", "JellyfortHarden", "JellyfortAudit", "JellyfortCore", "JellyfinAPI", "JellyfinEmulator",
                "JellyfortTestSupport",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortHostTests",
            dependencies: [
                "JellyfortBase", "JellyfortHost", "JellyfortCore", "JellyfortControls", "JellyfortAudit", "JellyfortDeploy",
                "JellyfortReport", "JellyfinAPI", "JellyfortTestSupport",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortDeployTests",
            dependencies: [
                "JellyfortBase", "JellyfortDeploy", "JellyfortControls", "JellyfortHost", "JellyfortCore", "JellyfinAPI",
                "JellyfinEmulator", "JellyfortTestSupport",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortCLITests",
            dependencies: ["JellyfortBase", "jellyfort", "JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortWatchTests",
            dependencies: [
                "JellyfortBase", "JellyfortWatch", "JellyfortDeploy", "JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfinEmulatorTests",
            dependencies: ["JellyfortBase", "JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
    ]
)
