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
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
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
        // Thin wrappers over system libraries that Swift cannot call cleanly: libsasl2's
        // callback tables and OpenSSL digests. Not the hot path; never imported by IMAPWire.
        .target(
            name: "CMurderSystem",
            path: "CSources/System",
            publicHeadersPath: "include",
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"])],
            linkerSettings: [.linkedLibrary("sasl2"), .linkedLibrary("crypto"), .linkedLibrary("z")]
        ),
        .target(name: "IMAPWire", swiftSettings: swiftSettings),
        // RFC 3656: the wire format, the master (with its list store), and the clients (backend
        // registration, the frontend's list replica).
        .target(
            name: "MUpdate",
            dependencies: [
                "IMAPWire", "Auth", "Transport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // A message's structure: MIME parsing, ENVELOPE and BODYSTRUCTURE, BODY[section] ranges,
        // search text decoding, SORT keys and THREAD algorithms. Pure: no files, no sockets.
        .target(name: "MIME", dependencies: ["IMAPWire"], swiftSettings: swiftSettings),
        .target(
            name: "Transport",
            dependencies: [
                "IMAPWire", "CMurderSystem", "CMurderCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Auth",
            dependencies: ["CMurderSystem", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Spool",
            dependencies: [
                "CMurderSystem",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IMAPServer",
            dependencies: [
                "IMAPWire", "MIME", "MUpdate", "Spool", "Auth", "Transport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The frontend session: routing per mailbox, the per-session backend connections, the
        // relay of selected-state commands, CREATE placement, COPY/MOVE across backends.
        .target(
            name: "Proxy",
            dependencies: [
                "IMAPWire", "MUpdate", "Auth", "Transport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Node",
            dependencies: [
                "IMAPServer", "Proxy", "MUpdate", "Spool", "Auth", "Transport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "murder",
            dependencies: [
                "IMAPWire", "MUpdate", "Node", "Spool", "Auth",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fixtures shared by the test targets: parse fixtures, the decoder verifier.
        .target(name: "MurderTestSupport", dependencies: ["IMAPWire", "Transport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IMAPWireTests", dependencies: ["IMAPWire", "MurderTestSupport"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MUpdateTests",
            dependencies: ["MUpdate", "IMAPWire", "Auth", "Transport", "MurderTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "MIMETests", dependencies: ["MIME", "IMAPWire"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TransportTests", dependencies: ["Transport", "IMAPWire", "MurderTestSupport"], swiftSettings: swiftSettings
        ),
        .testTarget(name: "SpoolTests", dependencies: ["Spool"], swiftSettings: swiftSettings),
        .testTarget(name: "AuthTests", dependencies: ["Auth"], swiftSettings: swiftSettings),
        .testTarget(
            name: "IMAPServerTests",
            dependencies: ["IMAPServer", "IMAPWire", "MUpdate", "Spool", "Auth", "Transport", "MurderTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProxyTests",
            dependencies: ["Proxy", "IMAPServer", "IMAPWire", "MUpdate", "Spool", "Auth", "Transport", "MurderTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "NodeTests", dependencies: ["Node", "Transport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CMurderCoreTests",
            dependencies: ["CMurderCore", "IMAPWire"],
            swiftSettings: swiftSettings
        ),
    ]
)
