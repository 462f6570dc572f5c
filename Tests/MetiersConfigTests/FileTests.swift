import MetiersConfig
import Testing

@Suite struct FileTests {
    /// Every key the file can set, each to a value other than its default.
    @Test func everyKeyOverridesItsDefault() throws {
        let s = try decode(
            """
            # comment
            [daemon]
            socket = "/run/metiers/metiersd.sock"  # trailing comment
            log_level = "debug"
            threads = 2
            search_workers = 3
            [index]
            database = "../Index/db"
            cards = "cards"
            vocabulary = '/srv/vocabulary.tsv'
            rome = "rome"
            ranking_model = "model.json"
            reload_check_seconds = 0.5
            [search]
            default_limit = 5
            min_confidence = 0.25
            [limits]
            max_line_bytes = 65_536
            max_connections = 16
            idle_timeout_seconds = 2.5
            request_timeout_ms = 5000
            max_queued_requests = 8
            max_phrases = 4
            max_phrase_words = 5
            max_exclusions = 6
            max_terms = 7
            """)
        try s.validate()
        #expect(s.daemon.socket == "/run/metiers/metiersd.sock")
        #expect(s.daemon.logLevel == "debug")
        #expect(s.logLevel == .debug)
        #expect(s.daemon.threads == 2)
        #expect(s.daemon.searchWorkers == 3)
        // Relative paths are resolved against the file's directory; absolute ones are kept.
        #expect(s.index.database == "/etc/metiers/../Index/db")
        #expect(s.index.cards == "/etc/metiers/cards")
        #expect(s.index.vocabulary == "/srv/vocabulary.tsv")
        #expect(s.index.rome == "/etc/metiers/rome")
        #expect(s.index.rankingModel == "/etc/metiers/model.json")
        #expect(s.index.reloadCheckSeconds == 0.5)
        #expect(s.search.defaultLimit == 5)
        #expect(s.search.minConfidence == 0.25)
        #expect(s.limits.maxLineBytes == 65_536)
        #expect(s.limits.maxConnections == 16)
        #expect(s.limits.idleTimeoutSeconds == 2.5)
        #expect(s.limits.requestTimeoutMs == 5_000)
        #expect(s.limits.maxQueuedRequests == 8)
        #expect(s.limits.maxPhrases == 4)
        #expect(s.limits.maxPhraseWords == 5)
        #expect(s.limits.maxExclusions == 6)
        #expect(s.limits.maxTerms == 7)
        #expect(s.flags.isEmpty)
    }

    @Test func keysLeftOutKeepTheirDefaults() throws {
        let s = try decode("[daemon]\nthreads = 2\n[limits]\nmax_terms = 9\n")
        var expected = Settings()
        expected.file = "/etc/metiers/metiers.toml"
        expected.daemon.threads = 2
        expected.limits.maxTerms = 9
        // A default path stays relative to the current directory, not to the file's.
        #expect(s == expected)
        #expect(s.index.database == "Index/db")
    }

    /// Numbers take integers and floats alike; min_confidence 0 and 1 are its bounds.
    @Test func numbersTakeIntegers() throws {
        let s = try decode("[index]\nreload_check_seconds = 0\n[limits]\nidle_timeout_seconds = 60\n[search]\nmin_confidence = 1\n")
        #expect(s.index.reloadCheckSeconds == 0)
        #expect(s.limits.idleTimeoutSeconds == 60)
        #expect(s.search.minConfidence == 1)
        try s.validate()
    }

    @Test func aFileWithNoDirectoryResolvesAgainstTheCurrentOne() throws {
        let s = try Settings.decode("[index]\ndatabase = \"db\"\n", path: "metiers.toml", baseDirectory: ".")
        #expect(s.index.database == "./db")
    }

    @Test func loadReadsTheFileAndItsDirectory() throws {
        let path = try temporaryFile("metiers.toml", "[index]\ndatabase = \"db\"\n[search]\ndefault_limit = 3\n")
        let s = try Settings.load(explicit: nil, environment: ["METIERS_CONFIG": path])
        #expect(s.file == path)
        #expect(s.index.database == String(path.dropLast("metiers.toml".count)) + "db")
        #expect(s.search.defaultLimit == 3)
    }

    static let file = SettingsError.Source.file("/etc/metiers/metiers.toml")

    /// Every way a file can be wrong, and the message each gives.
    @Test(arguments: [
        // Not TOML: where, and what toml++ says.
        ("[daemon]\nsocket = /tmp/x", SettingsError(file, .syntax(line: 2, column: 10, message: "Error while parsing value: could not determine value type")),
         "/etc/metiers/metiers.toml: line 2, column 10: Error while parsing value: could not determine value type"),
        ("a = 1\na = 2", SettingsError(file, .syntax(line: 2, column: 5, message: "Error while parsing key-value pair: cannot redefine existing integer 'a'")),
         "/etc/metiers/metiers.toml: line 2, column 5: Error while parsing key-value pair: cannot redefine existing integer 'a'"),
        // Unknown keys: a typo is never ignored.
        ("[daemon]\nsockett = \"x\"", SettingsError(file, .unknownKey("daemon.sockett")),
         "/etc/metiers/metiers.toml: unknown setting 'daemon.sockett'"),
        ("[server]\nport = 1", SettingsError(file, .unknownKey("server")), "/etc/metiers/metiers.toml: unknown setting 'server'"),
        ("socket = \"x\"", SettingsError(file, .unknownKey("socket")), "/etc/metiers/metiers.toml: unknown setting 'socket'"),
        // Types.
        ("[daemon]\nsocket = 3", SettingsError(file, .invalid(key: "daemon.socket", expected: "a string", found: "the integer 3")),
         "/etc/metiers/metiers.toml: 'daemon.socket' must be a string, found the integer 3"),
        ("[daemon]\nthreads = \"2\"", SettingsError(file, .invalid(key: "daemon.threads", expected: "an integer", found: "the string \"2\"")),
         "/etc/metiers/metiers.toml: 'daemon.threads' must be an integer, found the string \"2\""),
        ("[limits]\nmax_connections = 1.5", SettingsError(file, .invalid(key: "limits.max_connections", expected: "an integer", found: "the number 1.5")),
         "/etc/metiers/metiers.toml: 'limits.max_connections' must be an integer, found the number 1.5"),
        ("[limits]\nidle_timeout_seconds = true", SettingsError(file, .invalid(key: "limits.idle_timeout_seconds", expected: "a number", found: "the boolean true")),
         "/etc/metiers/metiers.toml: 'limits.idle_timeout_seconds' must be a number, found the boolean true"),
        ("[search]\nmin_confidence = \"high\"", SettingsError(file, .invalid(key: "search.min_confidence", expected: "a number", found: "the string \"high\"")),
         "/etc/metiers/metiers.toml: 'search.min_confidence' must be a number, found the string \"high\""),
        ("[index]\ncards = [\"a\"]", SettingsError(file, .invalid(key: "index.cards", expected: "a string", found: "an array")),
         "/etc/metiers/metiers.toml: 'index.cards' must be a string, found an array"),
        ("daemon = 1", SettingsError(file, .invalid(key: "daemon", expected: "a table [daemon]", found: "a value")),
         "/etc/metiers/metiers.toml: 'daemon' must be a table [daemon], found a value"),
    ])
    func fileErrors(text: String, expected: SettingsError, message: String) {
        let error = error(decoding: text)
        #expect(error == expected, "\(text)")
        #expect(error?.description == message)
    }

    /// Every range, one past each end, from the file: the message names the file and the key.
    @Test(arguments: [
        ("[daemon]\nlog_level = \"loud\"", "'daemon.log_level' must be one of trace, debug, info, notice, warning, error, critical, found \"loud\""),
        ("[daemon]\nthreads = -1", "'daemon.threads' must be between 0 and 256, found -1"),
        ("[daemon]\nthreads = 257", "'daemon.threads' must be between 0 and 256, found 257"),
        ("[daemon]\nsearch_workers = -1", "'daemon.search_workers' must be between 0 and 256, found -1"),
        ("[daemon]\nsearch_workers = 257", "'daemon.search_workers' must be between 0 and 256, found 257"),
        ("[index]\nreload_check_seconds = -1", "'index.reload_check_seconds' must be between 0.0 and 86400.0, found -1.0"),
        ("[index]\nreload_check_seconds = 86401", "'index.reload_check_seconds' must be between 0.0 and 86400.0, found 86401.0"),
        ("[search]\ndefault_limit = 0", "'search.default_limit' must be between 1 and 100, found 0"),
        ("[search]\ndefault_limit = 1000", "'search.default_limit' must be between 1 and 100, found 1000"),
        ("[search]\nmin_confidence = -0.1", "'search.min_confidence' must be between 0.0 and 1.0, found -0.1"),
        ("[search]\nmin_confidence = 2", "'search.min_confidence' must be between 0.0 and 1.0, found 2.0"),
        ("[limits]\nmax_line_bytes = 1023", "'limits.max_line_bytes' must be between 1024 and 1073741824, found 1023"),
        ("[limits]\nmax_line_bytes = 1073741825", "'limits.max_line_bytes' must be between 1024 and 1073741824, found 1073741825"),
        ("[limits]\nmax_connections = 0", "'limits.max_connections' must be between 1 and 100000, found 0"),
        ("[limits]\nmax_connections = 100001", "'limits.max_connections' must be between 1 and 100000, found 100001"),
        ("[limits]\nidle_timeout_seconds = 0", "'limits.idle_timeout_seconds' must be between 0.01 and 86400.0, found 0.0"),
        ("[limits]\nidle_timeout_seconds = 86401", "'limits.idle_timeout_seconds' must be between 0.01 and 86400.0, found 86401.0"),
        ("[limits]\nrequest_timeout_ms = 0", "'limits.request_timeout_ms' must be between 1 and 3600000, found 0"),
        ("[limits]\nrequest_timeout_ms = 3600001", "'limits.request_timeout_ms' must be between 1 and 3600000, found 3600001"),
        ("[limits]\nmax_queued_requests = 0", "'limits.max_queued_requests' must be between 1 and 100000, found 0"),
        ("[limits]\nmax_queued_requests = 100001", "'limits.max_queued_requests' must be between 1 and 100000, found 100001"),
        ("[limits]\nmax_phrases = -1", "'limits.max_phrases' must be between 0 and 10000, found -1"),
        ("[limits]\nmax_phrases = 10001", "'limits.max_phrases' must be between 0 and 10000, found 10001"),
        ("[limits]\nmax_phrase_words = 0", "'limits.max_phrase_words' must be between 1 and 10000, found 0"),
        ("[limits]\nmax_phrase_words = 10001", "'limits.max_phrase_words' must be between 1 and 10000, found 10001"),
        ("[limits]\nmax_exclusions = -1", "'limits.max_exclusions' must be between 0 and 10000, found -1"),
        ("[limits]\nmax_exclusions = 10001", "'limits.max_exclusions' must be between 0 and 10000, found 10001"),
        ("[limits]\nmax_terms = 0", "'limits.max_terms' must be between 1 and 100000, found 0"),
        ("[limits]\nmax_terms = 100001", "'limits.max_terms' must be between 1 and 100000, found 100001"),
    ])
    func rangeErrors(text: String, message: String) {
        let error = error(decoding: text)
        #expect(error?.source == Self.file)
        #expect(error?.description == "/etc/metiers/metiers.toml: " + message)
    }

    /// The bounds themselves are accepted.
    @Test func theBoundsAreAccepted() throws {
        try decode("[daemon]\nthreads = 256\n[limits]\nmax_line_bytes = 1024\nmax_phrases = 0\nmax_exclusions = 0\nidle_timeout_seconds = 0.01\n").validate()
        try decode("[limits]\nmax_line_bytes = 1073741824\nrequest_timeout_ms = 3600000\n[search]\ndefault_limit = 100\nmin_confidence = 0\n").validate()
    }
}
