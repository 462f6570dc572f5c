// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "metiers",
    platforms: [.macOS(.v14)],
    products: [
        // Libraries the fuzzers in Fuzz/ and the benchmark in Bench/ build against.
        .library(name: "MetiersText", targets: ["MetiersText"]),
        .library(name: "MetiersModel", targets: ["MetiersModel"]),
        .library(name: "MetiersSchema", targets: ["MetiersSchema"]),
        .library(name: "MetiersImport", targets: ["MetiersImport"]),
        .library(name: "MetiersIndex", targets: ["MetiersIndex"]),
        .library(name: "MetiersSearch", targets: ["MetiersSearch"]),
        .library(name: "MetiersProtocol", targets: ["MetiersProtocol"]),
        .library(name: "MetiersClient", targets: ["MetiersClient"]),
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
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
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
        // The values everyone shares: the job card and the ROME métiers and appellations. Reads
        // and parses no file.
        .target(name: "MetiersModel"),
        // The index's vocabulary, shared by its writer and its reader: term prefixes, value
        // slots, metadata keys, the schema version, the French analyzer, title keys and which
        // text of a card goes into which field.
        .target(name: "MetiersSchema", dependencies: ["MetiersModel", "MetiersText", "MetiersXapian"]),
        // Reading the sources: the referentiel's text into cards, the card files, the ROME CSV
        // files. Used by the index builder only, never by the daemon.
        .target(name: "MetiersImport", dependencies: [
            "MetiersModel", "MetiersText", .product(name: "SwiftCSV", package: "SwiftCSV"),
        ]),
        // Cards -> Xapian documents; ROME attribution; vocabulary; atomic database switch.
        .target(name: "MetiersIndex", dependencies: [
            "MetiersSchema", "MetiersModel", "MetiersImport", "MetiersText", "MetiersXapian",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Query building and ranking over an opened index.
        .target(name: "MetiersSearch", dependencies: [
            "MetiersSchema", "MetiersModel", "MetiersText", "MetiersXapian",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The wire protocol: versioned Codable requests and responses.
        .target(name: "MetiersProtocol", dependencies: ["MetiersModel"]),
        // The daemon: request handling, the SwiftNIO Unix-socket server and the HTTP listener.
        // Counts through the Metrics API; only metiersd picks the backend (Prometheus).
        .target(name: "MetiersServer", dependencies: [
            "MetiersProtocol", "MetiersSearch", "MetiersModel",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        // The client side of the protocol over a blocking Unix socket, and its renderings.
        .target(name: "MetiersClient", dependencies: ["MetiersProtocol", "MetiersModel"]),
        // Settings: Config/metiers.toml (TOMLKit), the flags over it, checked once; the logging
        // bootstrap. Used by the executables only; libraries take plain values and a Logger.
        .target(name: "MetiersConfig", dependencies: [
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "metiers-index", dependencies: [
            "MetiersModel", "MetiersSchema", "MetiersImport", "MetiersIndex", "MetiersSearch", "MetiersConfig",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "metiersd", dependencies: [
            "MetiersServer", "MetiersSearch", "MetiersConfig",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The CLI starts like a C program: the Swift runtime and FoundationEssentials linked in,
        // no shared library of Swift's to load and relocate at each start.
        .executableTarget(name: "metiers", dependencies: [
            "MetiersClient", "MetiersProtocol", "MetiersModel", "MetiersConfig",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [.unsafeFlags(["-static-stdlib"]), .linkedLibrary("_FoundationCShims"), .linkedLibrary("_FoundationCollections"), .linkedLibrary("swiftSynchronization")]),
        .target(
            name: "MetiersTestSupport",
            dependencies: ["MetiersModel", "MetiersSchema", "MetiersImport", "MetiersIndex", "MetiersSearch", .product(name: "Logging", package: "swift-log")],
            path: "Tests/MetiersTestSupport"
        ),
        .testTarget(name: "CXapianTests", dependencies: ["CXapian", "MetiersXapian"]),
        .testTarget(name: "MetiersTextTests", dependencies: ["MetiersText"]),
        .testTarget(name: "MetiersConfigTests", dependencies: [
            "MetiersConfig", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "MetiersImportTests", dependencies: ["MetiersImport", "MetiersModel"]),
        .testTarget(name: "MetiersSearchTests", dependencies: [
            "MetiersSearch", "MetiersSchema", "MetiersIndex", "MetiersImport", "MetiersModel", "MetiersTestSupport",
        ]),
        .testTarget(name: "MetiersServerTests", dependencies: [
            "MetiersServer", "MetiersProtocol", "MetiersSearch", "MetiersSchema", "MetiersIndex", "MetiersTestSupport",
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["MetiersProtocol", "MetiersTestSupport"]),
        .testTarget(name: "SystemdTests", dependencies: [
            "MetiersServer", "MetiersTestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        // The hostile-input suite, against the live daemon.
        .testTarget(name: "HostileInputTests", dependencies: ["MetiersProtocol", "MetiersClient", "MetiersTestSupport"]),
    ]
)
