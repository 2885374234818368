// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ce",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ce", targets: ["ce"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        .executableTarget(
            name: "ce",
            dependencies: ["CECommands", "CELibmCompat"]
        ),
        // hypot/hypotf of our own, so the shipped binary asks no GLIBC_2.35 symbol (it starts on glibc 2.34).
        .target(name: "CELibmCompat"),
        .target(
            name: "CECommands",
            dependencies: [
                "AWSCore",
                "AWSServices",
                "CloudSimulator",
                "Deployment",
                "DeploymentAWS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .target(
            name: "Deployment",
            dependencies: ["Timekeeping", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "CloudSimulator",
            dependencies: ["Deployment", "Timekeeping"]
        ),
        // The one clock, random source and backoff of the package; no dependencies, so the domain and the simulator
        // (and their tests) build without the HTTP stack.
        .target(name: "Timekeeping"),
        .target(
            name: "DeploymentAWS",
            dependencies: ["Deployment", "AWSServices"]
        ),
        .target(
            name: "AWSSigner",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "AWSCore",
            dependencies: [
                "AWSSigner",
                "Timekeeping",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "AWSServices",
            dependencies: ["AWSCore"]
        ),
        .testTarget(name: "AWSSignerTests", dependencies: ["AWSSigner", "TestPredicates"], exclude: ["Vectors", "botocore_signer.py"]),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", "AWSServices", "CETestSupport", "TestPredicates"], exclude: ["fake_metadata_server.py"]),
        .target(name: "CETestSupport", dependencies: ["AWSServices", "TestPredicates"], path: "Tests/CETestSupport"),
        .target(name: "TestPredicates", path: "Tests/TestPredicates"),
        .testTarget(name: "AWSServicesTests", dependencies: ["AWSServices", "CETestSupport", "TestPredicates"]),
        .testTarget(name: "DeploymentTests", dependencies: ["Deployment", "CloudSimulator", "TestPredicates"]),
        .testTarget(name: "CloudSimulatorTests", dependencies: ["CloudSimulator", "Deployment", "Timekeeping", "TestPredicates"]),
        .testTarget(name: "DeploymentAWSTests", dependencies: ["DeploymentAWS", "Deployment", "AWSServices", "CETestSupport", "TestPredicates"]),
        .testTarget(name: "CECommandsTests", dependencies: ["CECommands", "CETestSupport", "Deployment", "DeploymentAWS", "AWSServices", "CloudSimulator", "TestPredicates"]),
    ],
    swiftLanguageModes: [.v6]
)
