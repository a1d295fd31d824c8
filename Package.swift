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
    ],
    targets: [
        .target(
            name: "JellyfinAPI",
            dependencies: [
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
            dependencies: ["JellyfinAPI"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortControls",
            dependencies: ["JellyfortCore", "JellyfinAPI"],
            resources: [.copy("Data")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortAudit",
            dependencies: ["JellyfortCore", "JellyfortControls", "JellyfortHost", "JellyfinAPI"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortHost",
            dependencies: ["JellyfortCore", "JellyfinAPI", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortHarden",
            dependencies: ["JellyfinAPI", "JellyfortControls"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortDeploy",
            dependencies: ["JellyfinAPI", "JellyfortControls"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortReport",
            dependencies: ["JellyfortCore", "JellyfortControls", "JellyfinAPI"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfinEmulator",
            dependencies: [
                "JellyfinAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Scenarios")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "jellyfort",
            dependencies: [
                "JellyfinAPI",
                "JellyfinEmulator",
                "JellyfortCore",
                "JellyfortControls",
                "JellyfortAudit",
                "JellyfortHarden",
                "JellyfortHost",
                "JellyfortDeploy",
                "JellyfortReport",
                .product(name: "Yams", package: "Yams"),
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
            dependencies: ["JellyfinAPI", "JellyfortAudit", "JellyfortCore", "JellyfortHarden"],
            path: "Benchmarks/jellyfort-bench",
            swiftSettings: strictSettings
        ),
        .target(
            name: "JellyfortTestSupport",
            dependencies: [
                "JellyfinAPI",
                "JellyfinEmulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/JellyfortTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfinAPITests",
            dependencies: ["JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortControlsTests",
            dependencies: ["JellyfortCore", "JellyfortControls", "JellyfortAudit", "JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortReportTests",
            dependencies: ["JellyfortCore", "JellyfortControls", "JellyfortReport", "JellyfortAudit", "JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortHardenTests",
            dependencies: ["JellyfortHarden", "JellyfortAudit", "JellyfortCore", "JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortHostTests",
            dependencies: ["JellyfortHost", "JellyfortCore", "JellyfortControls", "JellyfortAudit", "JellyfortDeploy", "JellyfortReport", "JellyfinAPI", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortDeployTests",
            dependencies: ["JellyfortDeploy", "JellyfortControls", "JellyfortHost", "JellyfortCore", "JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfortCLITests",
            dependencies: ["jellyfort", "JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JellyfinEmulatorTests",
            dependencies: ["JellyfinAPI", "JellyfinEmulator", "JellyfortTestSupport"],
            swiftSettings: strictSettings
        ),
    ]
)
