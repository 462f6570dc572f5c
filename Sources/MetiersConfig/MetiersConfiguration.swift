#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// metiers' configuration (`Config/metiers.toml`), read by the executables only; libraries get
/// plain values.
///
/// Relative paths in the file are resolved against the directory of the file, so the
/// configuration works whatever the current directory.
public struct MetiersConfiguration: Equatable, Sendable {
    /// Unix socket the daemon listens on and the client connects to.
    public var socketPath: String = "/tmp/metiers.sock"
    /// The index directory written by `metiers-index` and served by `metiersd`.
    public var databasePath: String = "Index/db"
    /// The job cards directory.
    public var cardsPath: String = "Index/cards"
    /// The vocabulary table (alias, expansion, cards, source, reason; tab-separated).
    public var vocabularyPath: String = "Config/vocabulary.tsv"
    /// The search's ranking model, written by `Scripts/fit` and stored in the index.
    public var rankingModelPath: String = "Config/ranking-model.json"
    /// The ROME data (France Travail open data, two CSV files) that metiers ships.
    public var romePath: String = "Index/rome"
    /// Results per page when a request gives no `limit`.
    public var defaultLimit: Int = 10
    /// Results under this confidence are dropped (nil: the built-in calibrated threshold).
    public var minimumConfidence: Double?
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    /// Event-loop threads of the daemon; 0 means one per core.
    public var threads: Int = 0
    /// Longest request line, in bytes.
    public var maximumLineBytes: Int = 1 << 20
    /// Connections served at once.
    public var maximumConnections: Int = 256
    /// Seconds a connection may go without completing a request.
    public var idleTimeoutSeconds: Double = 60
    /// Time budget of one request, in milliseconds.
    public var requestTimeoutMilliseconds: Int = 10_000
    /// Seconds between checks for a new index version (0: never).
    public var reloadCheckSeconds: Double = 2
    /// Search worker threads of the daemon, each with its own index handle; 0 means one per core.
    public var searchWorkers: Int = 0
    /// Requests that may wait for a search worker; more are answered `overloaded` at once.
    public var maximumQueuedRequests: Int = 64
    /// Quoted phrases one query may have (more: `too_many_phrases`).
    public var maximumPhrases: Int = 16
    /// Words one quoted phrase may have (more: `phrase_too_long`).
    public var maximumPhraseWords: Int = 12
    /// `-word` exclusions one query may have (more: `too_many_exclusions`).
    public var maximumExclusions: Int = 32
    /// Distinct content words one query may have (more: `too_many_terms`).
    public var maximumTerms: Int = 2_000

    /// Where the configuration came from (nil: built-in defaults).
    public var source: String?

    public init() {}

    /// A configuration error: which file, which line, what is wrong.
    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// The configuration file to read: `explicit` when given, else `$METIERS_CONFIG`, else
    /// `Config/metiers.toml` under the current directory, else `/etc/metiers/metiers.toml`;
    /// nil when none exists (defaults apply).
    public static func locate(explicit: String?, environment: [String: String]) -> String? {
        if let explicit { return explicit }
        if let fromEnvironment = environment["METIERS_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        for candidate in ["Config/metiers.toml", "/etc/metiers/metiers.toml"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// Reads the file at `path`.
    public static func load(path: String) throws(LoadError) -> MetiersConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(path: path, message: "cannot read the configuration file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw LoadError(path: path, message: "the configuration file is not UTF-8")
        }
        let base = directory(of: path)
        return try parse(text, path: path, baseDirectory: base)
    }

    /// Parses configuration text; relative paths are resolved against `baseDirectory`.
    public static func parse(_ text: String, path: String, baseDirectory: String) throws(LoadError) -> MetiersConfiguration {
        let values: [String: TOMLSubset.Value]
        do {
            values = try TOMLSubset.parse(text)
        } catch {
            throw LoadError(path: path, message: error.description)
        }
        var config = MetiersConfiguration()
        config.source = path
        var known: Set<String> = []

        func string(_ key: String) throws(LoadError) -> String? {
            known.insert(key)
            switch values[key] {
            case nil: return nil
            case .string(let s)?: return s
            case let other?: throw LoadError(path: path, message: "'\(key)' must be a string, found \(other)")
            }
        }
        func integer(_ key: String, _ range: ClosedRange<Int>) throws(LoadError) -> Int? {
            known.insert(key)
            switch values[key] {
            case nil: return nil
            case .integer(let i)? where range.contains(i): return i
            case .integer(let i)?: throw LoadError(path: path, message: "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), found \(i)")
            case let other?: throw LoadError(path: path, message: "'\(key)' must be an integer, found \(other)")
            }
        }
        func number(_ key: String, _ range: ClosedRange<Double>) throws(LoadError) -> Double? {
            known.insert(key)
            let value: Double
            switch values[key] {
            case nil: return nil
            case .integer(let i)?: value = Double(i)
            case .float(let d)?: value = d
            case let other?: throw LoadError(path: path, message: "'\(key)' must be a number, found \(other)")
            }
            guard range.contains(value) else {
                throw LoadError(path: path, message: "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
            }
            return value
        }
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") || baseDirectory.isEmpty ? p : baseDirectory + "/" + p
        }

        if let v = try string("daemon.socket") { config.socketPath = resolve(v) }
        if let v = try string("daemon.log_level") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(v) else {
                throw LoadError(path: path, message: "'daemon.log_level' must be one of \(levels.joined(separator: ", ")), found \"\(v)\"")
            }
            config.logLevel = v
        }
        if let v = try integer("daemon.threads", 0...256) { config.threads = v }
        if let v = try integer("daemon.search_workers", 0...256) { config.searchWorkers = v }
        if let v = try integer("limits.max_queued_requests", 1...100_000) { config.maximumQueuedRequests = v }
        if let v = try integer("limits.max_phrases", 0...10_000) { config.maximumPhrases = v }
        if let v = try integer("limits.max_phrase_words", 1...10_000) { config.maximumPhraseWords = v }
        if let v = try integer("limits.max_exclusions", 0...10_000) { config.maximumExclusions = v }
        if let v = try integer("limits.max_terms", 1...100_000) { config.maximumTerms = v }
        if let v = try integer("limits.max_line_bytes", 1024...(1 << 30)) { config.maximumLineBytes = v }
        if let v = try integer("limits.max_connections", 1...100_000) { config.maximumConnections = v }
        if let v = try number("limits.idle_timeout_seconds", 0.01...86_400) { config.idleTimeoutSeconds = v }
        if let v = try integer("limits.request_timeout_ms", 1...3_600_000) { config.requestTimeoutMilliseconds = v }
        if let v = try number("index.reload_check_seconds", 0...86_400) { config.reloadCheckSeconds = v }
        if let v = try string("index.database") { config.databasePath = resolve(v) }
        if let v = try string("index.cards") { config.cardsPath = resolve(v) }
        if let v = try string("index.vocabulary") { config.vocabularyPath = resolve(v) }
        if let v = try string("index.rome") { config.romePath = resolve(v) }
        if let v = try string("index.ranking_model") { config.rankingModelPath = resolve(v) }
        if let v = try integer("search.default_limit", 1...100) { config.defaultLimit = v }
        known.insert("search.min_confidence")
        switch values["search.min_confidence"] {
        case nil: break
        case .float(let d)? where (0...1).contains(d): config.minimumConfidence = d
        case .integer(let i)? where (0...1).contains(i): config.minimumConfidence = Double(i)
        case let other?: throw LoadError(path: path, message: "'search.min_confidence' must be a number between 0 and 1, found \(other)")
        }

        if let unknown = values.keys.filter({ !known.contains($0) }).sorted().first {
            throw LoadError(path: path, message: "unknown setting '\(unknown)'")
        }
        return config
    }
}

/// Directory part of a path ("." when it has none).
func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let dir = String(path[..<slash])
    return dir.isEmpty ? "/" : dir
}
