import ArgumentParser
import MetiersConfig
import Testing

/// metiers-index's and the client's way to their settings.
@Suite struct ExecutableOptionsTests {
    @Test func theIndexerTakesTheFileAndCards() throws {
        let path = try temporaryFile("metiers.toml", "[index]\ncards = \"file-cards\"\ndatabase = \"/srv/db\"\n[daemon]\nlog_level = \"debug\"\n")
        let fromFile = try IndexerOptions.parse(["--config", path])
        #expect(fromFile.settings.index.cards == String(path.dropLast("metiers.toml".count)) + "file-cards")
        #expect(fromFile.settings.index.database == "/srv/db")
        #expect(fromFile.level == .notice, "the file's log level is the daemon's")
        let flagged = try IndexerOptions.parse(["--config", path, "--cards", "flag-cards", "--log-level", "warning"])
        #expect(flagged.settings.index.cards == "flag-cards")
        #expect(flagged.settings.flags == ["index.cards": "--cards"])
        #expect(flagged.level == .warning)
    }

    @Test(arguments: [["--log-level", "loud"], ["--config", "/nonexistent/metiers.toml"]])
    func theIndexerRefusesABadSetting(arguments: [String]) throws {
        expectRefused(IndexerOptions.self, ["--config", try temporaryFile("metiers.toml", "")] + arguments)
    }

    @Test func theClientSocketIsTheFlagThenTheEnvironmentThenTheFile() throws {
        let path = try temporaryFile("metiers.toml", "[daemon]\nsocket = \"/run/x.sock\"\n")
        let environment = ["METIERS_SOCKET": "/tmp/env.sock", "METIERS_CONFIG": path]
        #expect(try Settings.clientSocket(flag: "/tmp/flag.sock", config: nil, environment: environment) == "/tmp/flag.sock")
        #expect(try Settings.clientSocket(flag: nil, config: nil, environment: environment) == "/tmp/env.sock")
        #expect(try Settings.clientSocket(flag: nil, config: nil, environment: ["METIERS_CONFIG": path]) == "/run/x.sock")
        #expect(try Settings.clientSocket(flag: nil, config: path, environment: [:]) == "/run/x.sock")
        let bad = try temporaryFile("metiers.toml", "[search]\ndefault_limit = 0\n")
        #expect(throws: SettingsError(.file(bad), .invalid(key: "search.default_limit", expected: "between 1 and 100", found: "0"))) {
            try Settings.clientSocket(flag: nil, config: bad, environment: [:])
        }
    }
}
