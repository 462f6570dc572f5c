// swift-tools-version:6.0
// libFuzzer targets for metiers, outside the main package so that its manifest stays free of
// fuzzing flags. Build and run them with `Scripts/fuzz` (which passes -sanitize=fuzzer and
// -parse-as-library); each target is an executable whose `main` is libFuzzer's.
import Foundation
import PackageDescription

// The package under test: the repository, or (METIERS_FUZZ_MAIN) a mirror of it whose manifest
// declares the library products used here; Scripts/fuzz makes one while the repository's
// manifest lacks them.
let mainPath = Context.environment["METIERS_FUZZ_MAIN"] ?? ".."
// A path dependency's identity is its directory's name.
let mainIdentity = URL(fileURLWithPath: mainPath, relativeTo: URL(fileURLWithPath: Context.packageDirectory, isDirectory: true))
    .standardizedFileURL.lastPathComponent.lowercased()

let package = Package(
    name: "metiers-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: mainPath),
    ],
    targets: [
        // The declaration of libFuzzer's driver, which each target's entry point calls.
        .target(name: "CFuzzerDriver"),
        // Running the driver and checking properties, shared by the targets.
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"]),
        // Request.decode on arbitrary bytes, and the responses that echo what it read.
        .executableTarget(name: "fuzz-request", dependencies: [
            "FuzzSupport", .product(name: "MetiersProtocol", package: mainIdentity),
        ]),
        // QueryText.parse, Tokenizer.tokenize, Folding.fold and Folding.slug on arbitrary UTF-8.
        .executableTarget(name: "fuzz-query", dependencies: [
            "FuzzSupport", .product(name: "MetiersText", package: mainIdentity),
        ]),
        // RomeCatalog.parse on arbitrary text (the ROME appellation file).
        .executableTarget(name: "fuzz-rome", dependencies: [
            "FuzzSupport",
            .product(name: "MetiersImport", package: mainIdentity),
            .product(name: "MetiersModel", package: mainIdentity),
        ]),
        // ReferentielImporter.cards(fromText:) on arbitrary text.
        .executableTarget(name: "fuzz-importer", dependencies: [
            "FuzzSupport",
            .product(name: "MetiersImport", package: mainIdentity),
            .product(name: "MetiersModel", package: mainIdentity),
            .product(name: "MetiersText", package: mainIdentity),
        ]),
    ]
)
