import Foundation
import MetiersConfig
import Testing

@Suite struct DefaultsTests {
    @Test func everyDefault() throws {
        let s = Settings()
        #expect(s.daemon.socket == "/tmp/metiers.sock")
        #expect(s.daemon.logLevel == "info")
        #expect(s.logLevel == .info)
        #expect(s.daemon.threads == 0)
        #expect(s.daemon.searchWorkers == 0)
        #expect(s.index.database == "Index/db")
        #expect(s.index.cards == "Index/cards")
        #expect(s.index.vocabulary == "Config/vocabulary.tsv")
        #expect(s.index.rome == "Index/rome")
        #expect(s.index.rankingModel == "Config/ranking-model.json")
        #expect(s.index.reloadCheckSeconds == 2)
        #expect(s.search.defaultLimit == 10)
        #expect(s.search.minConfidence == nil)
        #expect(s.limits.maxLineBytes == 1_048_576)
        #expect(s.limits.maxConnections == 256)
        #expect(s.limits.idleTimeoutSeconds == 60)
        #expect(s.limits.requestTimeoutMs == 10_000)
        #expect(s.limits.maxQueuedRequests == 64)
        #expect(s.limits.maxPhrases == 16)
        #expect(s.limits.maxPhraseWords == 12)
        #expect(s.limits.maxExclusions == 32)
        #expect(s.limits.maxTerms == 2_000)
        #expect(s.file == nil)
        #expect(s.flags.isEmpty)
        try s.validate()
    }

    @Test func anEmptyFileIsTheDefaults() throws {
        var s = try decode("# nothing set\n")
        #expect(s.file == "/etc/metiers/metiers.toml")
        s.file = nil
        #expect(s == Settings())
    }

    /// Config/metiers.toml, the README's first command's: the defaults, paths against Config/.
    @Test func theShippedConfiguration() throws {
        let s = try Settings.load(path: repositoryRoot + "/Config/metiers.toml")
        try s.validate()
        let config = repositoryRoot + "/Config"
        var expected = Settings()
        expected.file = config + "/metiers.toml"
        expected.index.database = config + "/../Index/db"
        expected.index.cards = config + "/../Index/cards"
        expected.index.vocabulary = config + "/vocabulary.tsv"
        expected.index.rome = config + "/../Index/rome"
        expected.index.rankingModel = config + "/ranking-model.json"
        // The web page beside the repository, for when the HTTP listener is switched on.
        expected.http.staticDirectory = config + "/../Web"
        #expect(s == expected)
    }

    /// systemd/metiers.toml, installed as /etc/metiers/metiers.toml: absolute paths, the socket
    /// metiersd.socket listens on.
    @Test func theInstalledConfiguration() throws {
        let s = try Settings.load(path: repositoryRoot + "/systemd/metiers.toml")
        try s.validate()
        var expected = Settings()
        expected.file = repositoryRoot + "/systemd/metiers.toml"
        expected.daemon.socket = "/run/metiers/metiersd.sock"
        expected.index.database = "/var/lib/metiers/db"
        expected.index.cards = "/usr/local/share/metiers/cards"
        expected.index.vocabulary = "/etc/metiers/vocabulary.tsv"
        expected.index.rome = "/usr/local/share/metiers/rome"
        expected.index.rankingModel = "/usr/local/share/metiers/ranking-model.json"
        #expect(s == expected)
    }

    @Test func locateTakesTheFlagThenTheEnvironment() {
        #expect(Settings.locate(explicit: "/a.toml", environment: ["METIERS_CONFIG": "/b.toml"]) == "/a.toml")
        #expect(Settings.locate(explicit: nil, environment: ["METIERS_CONFIG": "/b.toml"]) == "/b.toml")
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: SettingsError(.file("/nonexistent/metiers.toml"), .unreadable)) {
            try Settings.load(explicit: "/nonexistent/metiers.toml", environment: [:])
        }
        #expect("\(SettingsError(.file("/x.toml"), .unreadable))" == "/x.toml: cannot read the configuration file")
    }

    @Test func aFileThatIsNotUTF8IsAnError() throws {
        let path = try temporaryFile("bad.toml", "")
        try [UInt8]([0x5B, 0xFF, 0x5D]).withUnsafeBufferPointer { try Data(buffer: $0).write(to: URL(fileURLWithPath: path)) }
        #expect(throws: SettingsError(.file(path), .notUTF8)) { try Settings.load(path: path) }
    }
}
