import ArgumentParser
import Foundation
import MetiersConfig
import Testing

/// The repository (Config/, systemd/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Decodes `text` as the file `/etc/metiers/metiers.toml` would be.
func decode(_ text: String) throws(SettingsError) -> Settings {
    try Settings.decode(text, path: "/etc/metiers/metiers.toml", baseDirectory: "/etc/metiers")
}

/// The error decoding (or, once decoded, validating) `text` throws; nil when there is none.
func error(decoding text: String) -> SettingsError? {
    do throws(SettingsError) {
        try decode(text).validate()
        return nil
    } catch {
        return error
    }
}

/// A file in a fresh temporary directory.
func temporaryFile(_ name: String, _ text: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metiers-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Parsing `arguments` stops with exit 1 (a bad setting: one line on stderr, nothing started).
func expectRefused<Options: ParsableArguments>(_: Options.Type, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try Options.parse(arguments)
        Issue.record("\(arguments) was accepted", sourceLocation: sourceLocation)
    } catch {
        #expect(Options.exitCode(for: error) == .failure, sourceLocation: sourceLocation)
    }
}
