import ArgumentParser

/// metiersd's settings flags: the configuration file, then each flag over it. After parsing,
/// `settings` holds the result, checked once (`validate()`); a bad value is one line on stderr
/// and exit 1, before anything starts.
public struct DaemonOptions: ParsableArguments {
    @Option(help: "Configuration file.")
    public var config: String?

    @Option(help: "Index directory built by metiers-index.")
    public var db: String?

    @Option(help: "Unix socket to listen on.")
    public var socket: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: String?

    @Option(help: "Also serve HTTP on this address (host:port, e.g. 127.0.0.1:8080; empty: off).")
    public var http: String?

    @Option(help: "Event-loop threads (0: one per core).")
    public var threads: Int?

    @Option(help: "Drop results under this confidence (0-1).")
    public var minConfidence: Double?

    @Option(help: "Longest request line, in bytes (longer: line_too_long, connection closed).")
    public var maxLineBytes: Int?

    @Option(help: "Connections served at once (more: overloaded, closed).")
    public var maxConnections: Int?

    @Option(help: "Seconds a connection may go without completing a request.")
    public var idleTimeout: Double?

    @Option(help: "Time budget of one request, in milliseconds.")
    public var requestTimeoutMs: Int?

    @Option(help: "Seconds between checks for a new index version on disk (0: never).")
    public var reloadCheck: Double?

    @Option(help: "Search worker threads, each with its own index handle (0: one per core).")
    public var searchWorkers: Int?

    @Option(help: "Requests that may wait for a search worker (more: overloaded at once).")
    public var maxQueue: Int?

    @Option(help: "Quoted phrases per query (more: too_many_phrases).")
    public var maxPhrases: Int?

    @Option(help: "Words per quoted phrase (more: phrase_too_long).")
    public var maxPhraseWords: Int?

    @Option(help: "Exclusions (-word) per query (more: too_many_exclusions).")
    public var maxExclusions: Int?

    @Option(help: "Distinct content words per query (more: too_many_terms).")
    public var maxTerms: Int?

    /// The configuration with the flags over it, set by `validate()`.
    public var settings = Settings()

    enum CodingKeys: CodingKey {
        case config, db, socket, http, logLevel, threads, minConfidence, maxLineBytes, maxConnections, idleTimeout
        case requestTimeoutMs, reloadCheck, searchWorkers, maxQueue, maxPhrases, maxPhraseWords, maxExclusions, maxTerms
    }

    public init() {}

    public mutating func validate() throws {
        settings = try Settings.command("metiersd") { () throws(SettingsError) in try resolve(environment: ProcessEnvironment.all) }
    }

    /// The file `--config` (or the environment) names, the flags over it, validated.
    public func resolve(environment: [String: String]) throws(SettingsError) -> Settings {
        var s = try Settings.load(explicit: config, environment: environment)
        s.override(\.index.database, with: db, key: "index.database", flag: "--db")
        s.override(\.daemon.socket, with: socket, key: "daemon.socket", flag: "--socket")
        s.override(\.http.listen, with: http, key: "http.listen", flag: "--http")
        s.override(\.daemon.logLevel, with: logLevel, key: "daemon.log_level", flag: "--log-level")
        s.override(\.daemon.threads, with: threads, key: "daemon.threads", flag: "--threads")
        s.override(\.search.minConfidence, with: minConfidence.map { Optional($0) }, key: "search.min_confidence", flag: "--min-confidence")
        s.override(\.limits.maxLineBytes, with: maxLineBytes, key: "limits.max_line_bytes", flag: "--max-line-bytes")
        s.override(\.limits.maxConnections, with: maxConnections, key: "limits.max_connections", flag: "--max-connections")
        s.override(\.limits.idleTimeoutSeconds, with: idleTimeout, key: "limits.idle_timeout_seconds", flag: "--idle-timeout")
        s.override(\.limits.requestTimeoutMs, with: requestTimeoutMs, key: "limits.request_timeout_ms", flag: "--request-timeout-ms")
        s.override(\.index.reloadCheckSeconds, with: reloadCheck, key: "index.reload_check_seconds", flag: "--reload-check")
        s.override(\.daemon.searchWorkers, with: searchWorkers, key: "daemon.search_workers", flag: "--search-workers")
        s.override(\.limits.maxQueuedRequests, with: maxQueue, key: "limits.max_queued_requests", flag: "--max-queue")
        s.override(\.limits.maxPhrases, with: maxPhrases, key: "limits.max_phrases", flag: "--max-phrases")
        s.override(\.limits.maxPhraseWords, with: maxPhraseWords, key: "limits.max_phrase_words", flag: "--max-phrase-words")
        s.override(\.limits.maxExclusions, with: maxExclusions, key: "limits.max_exclusions", flag: "--max-exclusions")
        s.override(\.limits.maxTerms, with: maxTerms, key: "limits.max_terms", flag: "--max-terms")
        try s.validate()
        return s
    }
}

extension Settings {
    /// Runs `resolve` for the executable `name`: a settings error is one line on stderr
    /// (`name: error: …`) and exit 1, as for any reason a command cannot start.
    public static func command(_ name: String, _ resolve: () throws(SettingsError) -> Settings) throws -> Settings {
        do {
            return try resolve()
        } catch {
            StandardError.line("\(name): error: \(error)")
            throw ExitCode.failure
        }
    }
}
