// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "metiers",
    platforms: [.macOS(.v14)],
    products: [
        // Libraries the fuzzers in Fuzz/ build against.
        .library(name: "MetiersProtocol", targets: ["MetiersProtocol"]),
        .library(name: "MetiersText", targets: ["MetiersText"]),
        .library(name: "MetiersCorpus", targets: ["MetiersCorpus"]),
        .executable(name: "metiers-index", targets: ["metiers-index"]),
        .executable(name: "metiersd", targets: ["metiersd"]),
        .executable(name: "metiers", targets: ["metiers"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        // The only code that includes <xapian.h>: a pure-C header over Xapian 1.4.
        .target(
            name: "CXapian",
            cxxSettings: [.unsafeFlags(["-std=c++17"])],
            linkerSettings: [.linkedLibrary("xapian")]
        ),
        // Owning Swift handles over the C API.
        .target(name: "MetiersXapian", dependencies: ["CXapian"]),
        // French text analysis shared by the importer, the indexer and the query side.
        .target(name: "MetiersText"),
        // The referentiel: card model and importer.
        .target(name: "MetiersCorpus", dependencies: ["MetiersText"]),
        // Cards -> Xapian documents; term prefixes; atomic database switch.
        .target(name: "MetiersIndex", dependencies: [
            "MetiersCorpus", "MetiersText", "MetiersXapian",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Query building and ranking over an opened index.
        .target(name: "MetiersSearch", dependencies: [
            "MetiersIndex", "MetiersCorpus", "MetiersText", "MetiersXapian",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The wire protocol: versioned Codable requests and responses.
        .target(name: "MetiersProtocol", dependencies: ["MetiersCorpus"]),
        // The daemon: request handling and the SwiftNIO Unix-socket server.
        .target(name: "MetiersServer", dependencies: [
            "MetiersProtocol", "MetiersSearch", "MetiersCorpus",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        // The client side of the protocol over a blocking Unix socket, and its renderings.
        .target(name: "MetiersClient", dependencies: ["MetiersProtocol", "MetiersCorpus"]),
        // Settings: Config/metiers.toml (TOMLKit), the flags over it, checked once; the logging
        // bootstrap. Used by the executables only; libraries take plain values and a Logger.
        .target(name: "MetiersConfig", dependencies: [
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "metiers-index", dependencies: [
            "MetiersCorpus", "MetiersIndex", "MetiersSearch", "MetiersConfig",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "metiersd", dependencies: [
            "MetiersServer", "MetiersSearch", "MetiersConfig",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "metiers", dependencies: [
            "MetiersClient", "MetiersProtocol", "MetiersConfig",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(
            name: "MetiersTestSupport",
            dependencies: ["MetiersCorpus", "MetiersIndex", .product(name: "Logging", package: "swift-log")],
            path: "Tests/MetiersTestSupport"
        ),
        .testTarget(name: "CXapianTests", dependencies: ["CXapian", "MetiersXapian"]),
        .testTarget(name: "MetiersTextTests", dependencies: ["MetiersText"]),
        .testTarget(name: "MetiersConfigTests", dependencies: [
            "MetiersConfig", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "MetiersCorpusTests", dependencies: ["MetiersCorpus"]),
        .testTarget(name: "MetiersSearchTests", dependencies: ["MetiersSearch", "MetiersIndex", "MetiersCorpus", "MetiersTestSupport"]),
        .testTarget(name: "MetiersServerTests", dependencies: ["MetiersServer", "MetiersProtocol", "MetiersSearch", "MetiersIndex", "MetiersTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["MetiersProtocol", "MetiersTestSupport"]),
        .testTarget(name: "SystemdTests", dependencies: ["MetiersServer", "MetiersTestSupport"]),
        // The hostile-input suite, against the live daemon.
        .testTarget(name: "HostileInputTests", dependencies: ["MetiersProtocol", "MetiersTestSupport"]),
        // Benchmark: `swift run -c release metiers-bench`.
        .executableTarget(name: "metiers-bench", dependencies: [
            "MetiersSearch", "MetiersIndex", "MetiersCorpus", "MetiersProtocol", "MetiersClient", "MetiersText",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            "CSQLite",
        ]),
        // SQLite (libsqlite3-dev) for the bench's FTS5 peer comparison.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
    ]
)
