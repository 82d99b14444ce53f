// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "murder",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "murder", targets: ["murder"]),
        .library(name: "IMAPWire", targets: ["IMAPWire"]),
        .library(name: "MUpdate", targets: ["MUpdate"]),
        .library(name: "CMurderCore", targets: ["CMurderCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The C core: bytes, sockets, framing. Its one public header is include/murder_core.h;
        // SwiftPM refuses a headers folder outside the target's path, hence path ".".
        .target(
            name: "CMurderCore",
            path: ".",
            sources: ["CSources/MurderCore"],
            publicHeadersPath: "include",
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"])],
            linkerSettings: [
                .linkedLibrary("uring"),
                .linkedLibrary("ssl"),
                .linkedLibrary("crypto"),
                .linkedLibrary("sasl2"),
                .linkedLibrary("z"),
            ]
        ),
        .target(name: "IMAPWire", swiftSettings: swiftSettings),
        .target(name: "MUpdate", dependencies: ["IMAPWire"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "murder",
            dependencies: [
                "IMAPWire", "MUpdate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fixtures shared by the test targets: parse fixtures, the decoder verifier.
        .target(name: "MurderTestSupport", dependencies: ["IMAPWire"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IMAPWireTests", dependencies: ["IMAPWire", "MurderTestSupport"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MUpdateTests", dependencies: ["MUpdate", "IMAPWire", "MurderTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CMurderCoreTests",
            dependencies: ["CMurderCore", "IMAPWire"],
            swiftSettings: swiftSettings
        ),
    ]
)
