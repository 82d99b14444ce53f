// swift-tools-version:6.1
// The benchmarks: a package of their own, so that the root package never resolves what only
// the benchmarks need. Build with `swift build -c release --scratch-path .build` here, or run
// ./run.sh.
import PackageDescription

let package = Package(
    name: "murder-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "murder", path: "..")
    ],
    targets: [
        // The C side of scanbench: scan.c driven from C, and the memchr pass it is compared to.
        .target(
            name: "CScanBench",
            dependencies: [.product(name: "CMurderCore", package: "murder")],
            cSettings: [.unsafeFlags(["-O2"])]
        ),
        .executableTarget(
            name: "scanbench",
            dependencies: [
                "CScanBench",
                .product(name: "IMAPWire", package: "murder"),
            ],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
                .enableUpcomingFeature("InternalImportsByDefault"),
            ]
        ),
    ]
)
