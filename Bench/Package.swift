// swift-tools-version:6.0
// The benchmark metiers-bench (Scripts/bench), outside the main package so that its manifest
// builds neither the benchmark nor needs SQLite (libsqlite3-dev, for the FTS5 peer). It builds
// against the repository's library products by path and runs the release metiers-index,
// metiersd and metiers that Scripts/bench builds from the main package (`--bin-dir`).
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name (the repository's, whatever it is).
let mainIdentity = URL(fileURLWithPath: "..", relativeTo: URL(fileURLWithPath: Context.packageDirectory, isDirectory: true))
    .standardizedFileURL.lastPathComponent.lowercased()

let package = Package(
    name: "metiers-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(name: "metiers-bench", dependencies: [
            .product(name: "MetiersSearch", package: mainIdentity),
            .product(name: "MetiersSchema", package: mainIdentity),
            .product(name: "MetiersIndex", package: mainIdentity),
            .product(name: "MetiersImport", package: mainIdentity),
            .product(name: "MetiersModel", package: mainIdentity),
            .product(name: "MetiersProtocol", package: mainIdentity),
            .product(name: "MetiersClient", package: mainIdentity),
            .product(name: "MetiersText", package: mainIdentity),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            "CSQLite",
        ]),
        // SQLite (libsqlite3-dev) for the FTS5 peer comparison.
        .systemLibrary(name: "CSQLite"),
    ]
)
