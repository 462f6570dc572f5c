import ArgumentParser
import Logging
import MetiersConfig
import Testing

@Suite struct FlagTests {
    static let fileText = """
        [daemon]
        socket = "file.sock"
        threads = 3
        [index]
        database = "file-db"
        [search]
        default_limit = 7
        min_confidence = 0.5
        [limits]
        max_connections = 99
        max_terms = 500
        """

    /// Every flag, each over the file's value (or the default): the flag wins, the file keeps
    /// what no flag sets, and each flag is recorded against its key.
    @Test func everyFlagOverlaysTheFile() throws {
        let path = try temporaryFile("metiers.toml", Self.fileText)
        let directory = String(path.dropLast("/metiers.toml".count))
        let options = try DaemonOptions.parse([
            "--config", path, "--db", "flag-db", "--socket", "/tmp/flag.sock", "--log-level", "warning", "--threads", "4",
            "--min-confidence", "0.3", "--max-line-bytes", "65536", "--max-connections", "16", "--idle-timeout", "2",
            "--request-timeout-ms", "5000", "--reload-check", "0", "--search-workers", "2", "--max-queue", "4",
            "--max-phrases", "1", "--max-phrase-words", "2", "--max-exclusions", "3", "--max-terms", "6",
        ])
        let s = options.settings
        #expect(s.file == path)
        #expect(s.index.database == "flag-db", "a flag's path is the current directory's, as given")
        #expect(s.daemon.socket == "/tmp/flag.sock")
        #expect(s.logLevel == .warning)
        #expect(s.daemon.threads == 4)
        #expect(s.search.minConfidence == 0.3)
        #expect(s.limits.maxLineBytes == 65_536)
        #expect(s.limits.maxConnections == 16)
        #expect(s.limits.idleTimeoutSeconds == 2)
        #expect(s.limits.requestTimeoutMs == 5_000)
        #expect(s.index.reloadCheckSeconds == 0)
        #expect(s.daemon.searchWorkers == 2)
        #expect(s.limits.maxQueuedRequests == 4)
        #expect(s.limits.maxPhrases == 1)
        #expect(s.limits.maxPhraseWords == 2)
        #expect(s.limits.maxExclusions == 3)
        #expect(s.limits.maxTerms == 6)
        // No flag: the file's, then the default.
        #expect(s.search.defaultLimit == 7)
        #expect(s.index.cards == "Index/cards")
        #expect(directory.hasPrefix("/"))
        #expect(s.flags == [
            "index.database": "--db", "daemon.socket": "--socket", "daemon.log_level": "--log-level",
            "daemon.threads": "--threads", "search.min_confidence": "--min-confidence",
            "limits.max_line_bytes": "--max-line-bytes", "limits.max_connections": "--max-connections",
            "limits.idle_timeout_seconds": "--idle-timeout", "limits.request_timeout_ms": "--request-timeout-ms",
            "index.reload_check_seconds": "--reload-check", "daemon.search_workers": "--search-workers",
            "limits.max_queued_requests": "--max-queue", "limits.max_phrases": "--max-phrases",
            "limits.max_phrase_words": "--max-phrase-words", "limits.max_exclusions": "--max-exclusions",
            "limits.max_terms": "--max-terms",
        ])
    }

    @Test func noFlagIsTheFile() throws {
        let path = try temporaryFile("metiers.toml", Self.fileText)
        let s = try DaemonOptions.parse(["--config", path]).settings
        var expected = try Settings.load(path: path)
        expected.file = path
        #expect(s == expected)
        #expect(s.daemon.socket == String(path.dropLast("metiers.toml".count)) + "file.sock")
        #expect(s.daemon.threads == 3)
        #expect(s.search.minConfidence == 0.5)
        #expect(s.limits.maxConnections == 99)
        #expect(s.limits.maxTerms == 500)
    }

    /// A flag fixes what the file gets wrong in range (the check runs once, after the flags).
    @Test func aFlagOverridesABadFileValue() throws {
        let path = try temporaryFile("metiers.toml", "[limits]\nmax_connections = 0\n")
        let s = try DaemonOptions.parse(["--config", path, "--max-connections", "5"]).settings
        #expect(s.limits.maxConnections == 5)
    }

    /// A flag out of range stops parsing with exit 1 (after one line on stderr).
    @Test(arguments: [
        ["--max-connections", "0"], ["--max-line-bytes", "1023"], ["--idle-timeout", "0"], ["--request-timeout-ms", "0"],
        ["--reload-check=-1"], ["--search-workers=-1"], ["--max-queue", "0"], ["--max-phrases=-1"],
        ["--max-phrase-words", "0"], ["--max-exclusions=-1"], ["--max-terms", "0"], ["--threads=-1"],
        ["--min-confidence", "1.5"], ["--log-level", "loud"],
    ])
    func aBadFlagExits1(arguments: [String]) throws {
        expectRefused(DaemonOptions.self, ["--config", try temporaryFile("metiers.toml", "")] + arguments)
    }

    /// A value a flag gave is named by the flag and its key in the error.
    @Test(arguments: [
        ("--max-connections", "limits.max_connections", "must be between 1 and 100000, found 0"),
        ("--max-line-bytes", "limits.max_line_bytes", "must be between 1024 and 1073741824, found 0"),
        ("--max-queue", "limits.max_queued_requests", "must be between 1 and 100000, found 0"),
        ("--max-terms", "limits.max_terms", "must be between 1 and 100000, found 0"),
        ("--request-timeout-ms", "limits.request_timeout_ms", "must be between 1 and 3600000, found 0"),
    ])
    func flagErrorsNameTheFlag(flag: String, key: String, message: String) {
        var s = Settings()
        s.file = "/etc/metiers/metiers.toml"
        let paths: [String: WritableKeyPath<Settings, Int>] = [
            "limits.max_connections": \.limits.maxConnections, "limits.max_line_bytes": \.limits.maxLineBytes,
            "limits.max_queued_requests": \.limits.maxQueuedRequests, "limits.max_terms": \.limits.maxTerms,
            "limits.request_timeout_ms": \.limits.requestTimeoutMs,
        ]
        s.override(paths[key]!, with: 0, key: key, flag: flag)
        #expect(throws: SettingsError(.flag(flag), .invalid(key: key, expected: String(message.dropFirst(8).prefix { $0 != "," }), found: "0"))) {
            try s.validate()
        }
        do throws(SettingsError) {
            try s.validate()
        } catch {
            #expect(error.description == "\(flag) (\(key)) \(message)")
        }
    }

    @Test func floatAndLevelFlagErrors() {
        var s = Settings()
        s.override(\.limits.idleTimeoutSeconds, with: 0, key: "limits.idle_timeout_seconds", flag: "--idle-timeout")
        #expect(throws: SettingsError(.flag("--idle-timeout"), .invalid(key: "limits.idle_timeout_seconds", expected: "between 0.01 and 86400.0", found: "0.0"))) {
            try s.validate()
        }
        s = Settings()
        s.override(\.search.minConfidence, with: 1.5, key: "search.min_confidence", flag: "--min-confidence")
        #expect(throws: SettingsError(.flag("--min-confidence"), .invalid(key: "search.min_confidence", expected: "between 0.0 and 1.0", found: "1.5"))) {
            try s.validate()
        }
        s = Settings()
        s.override(\.daemon.logLevel, with: "loud", key: "daemon.log_level", flag: "--log-level")
        let error = SettingsError(.flag("--log-level"), .invalid(
            key: "daemon.log_level", expected: "one of trace, debug, info, notice, warning, error, critical", found: "\"loud\""))
        #expect(throws: error) { try s.validate() }
        #expect(error.description == "--log-level (daemon.log_level) must be one of trace, debug, info, notice, warning, error, critical, found \"loud\"")
    }

    /// A flag left out keeps the file's value, even an optional one left unset.
    @Test func anAbsentOptionalFlagKeepsTheFileValue() {
        var s = Settings()
        s.search.minConfidence = 0.4
        s.override(\.search.minConfidence, with: Double?.none.map { Optional($0) }, key: "search.min_confidence", flag: "--min-confidence")
        #expect(s.search.minConfidence == 0.4)
        #expect(s.flags.isEmpty)
    }

    @Test func logLevels() throws {
        #expect(try LoggingBootstrap.level("notice", flag: "--log-level") == .notice)
        #expect(throws: SettingsError(.flag("--log-level"), .invalid(key: "", expected: "one of trace, debug, info, notice, warning, error, critical", found: "\"loud\""))) {
            try LoggingBootstrap.level("loud", flag: "--log-level")
        }
        #expect("\(SettingsError(.flag("--log-level"), .invalid(key: "", expected: "one of x", found: "\"y\"")))" == "--log-level must be one of x, found \"y\"")
        #expect(Settings.logLevels == Logger.Level.allCases.map(\.rawValue))
    }
}
