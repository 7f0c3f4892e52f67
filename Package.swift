// swift-tools-version:6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "strike",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "strike", targets: ["strike"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
    ],
    targets: [
        .target(name: "StrikeCore", swiftSettings: strictSwift),
        // Time and retries: the one clock every part is given, the stepped clock of the demo, backoff.
        .target(name: "StrikeRuntime", swiftSettings: strictSwift),
        // Resources/ built into the binary: the OpenAPI document and the dashboard.
        .target(name: "StrikeResources", swiftSettings: strictSwift, plugins: ["EmbedResources"]),
        .executableTarget(name: "strike-embed", swiftSettings: strictSwift),
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["strike-embed"]),
        // Counts SQLite's file syncs (a VFS over the default one), so tests and the benchmark can prove durability.
        .target(name: "CSQLiteSyncCounter", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "StrikeStore",
            dependencies: [
                "StrikeCore", "StrikeRuntime", "CSQLiteSyncCounter",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "StrikeIntegrations",
            dependencies: ["StrikeCore", "StrikeRuntime", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSwift
        ),
        .target(
            name: "StrikeWorkers",
            dependencies: [
                "StrikeCore", "StrikeRuntime", "StrikeStore", "StrikeIntegrations",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "StrikeSimulator",
            dependencies: [
                "StrikeCore", "StrikeRuntime", "StrikeStore", "StrikeIntegrations",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "StrikeHTTP",
            dependencies: [
                "StrikeStore", "StrikeCore", "StrikeRuntime", "StrikeResources", "StrikeIntegrations", "StrikeSimulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "StrikeApp",
            dependencies: [
                "StrikeCore", "StrikeRuntime", "StrikeStore", "StrikeHTTP", "StrikeWorkers", "StrikeIntegrations", "StrikeSimulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                // The server's connection cap is a channel handler over Hummingbird's HTTP/1 parts.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "strike",
            dependencies: [
                "StrikeApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        // Test support shared by the test targets, and the child process the crash-safety test kills.
        .target(
            name: "StrikeTestSupport",
            dependencies: ["StrikeStore", "StrikeCore", "StrikeRuntime", "StrikeIntegrations"],
            path: "Tests/StrikeTestSupport",
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "strike-crash-writer",
            dependencies: ["StrikeStore", "StrikeCore", "StrikeRuntime", "StrikeTestSupport", "StrikeWorkers", "StrikeIntegrations"],
            path: "Tests/CrashWriter",
            swiftSettings: strictSwift
        ),
        .testTarget(name: "StrikeCoreTests", dependencies: ["StrikeCore"], swiftSettings: strictSwift),
        .testTarget(name: "StrikeRuntimeTests", dependencies: ["StrikeRuntime", "StrikeTestSupport"], swiftSettings: strictSwift),
        .testTarget(
            name: "StrikeWorkersTests",
            dependencies: [
                "StrikeWorkers", "StrikeIntegrations", "StrikeStore", "StrikeCore", "StrikeRuntime", "StrikeTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "StrikeIntegrationsTests", dependencies: ["StrikeIntegrations", "StrikeCore", "StrikeRuntime", "StrikeTestSupport"], swiftSettings: strictSwift
        ),
        .testTarget(
            name: "StrikeStoreTests",
            dependencies: ["StrikeStore", "StrikeCore", "StrikeRuntime", "StrikeTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "StrikeAppTests",
            dependencies: [
                "StrikeApp", "StrikeStore", "StrikeCore", "StrikeRuntime", "StrikeTestSupport", "StrikeIntegrations", "StrikeWorkers", "StrikeSimulator",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
