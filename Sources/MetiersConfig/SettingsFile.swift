import TOMLKit

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Settings {
    /// The configuration file to read: `explicit` when given, else `$METIERS_CONFIG`, else
    /// `Config/metiers.toml` under the current directory, else `/etc/metiers/metiers.toml`;
    /// nil when none exists (the defaults apply).
    public static func locate(explicit: String?, environment: [String: String]) -> String? {
        if let explicit { return explicit }
        if let fromEnvironment = environment["METIERS_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        for candidate in ["Config/metiers.toml", "/etc/metiers/metiers.toml"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return nil
    }

    /// The file `locate` finds decoded over the defaults, or the defaults when there is none.
    public static func load(explicit: String?, environment: [String: String]) throws(SettingsError) -> Settings {
        guard let path = locate(explicit: explicit, environment: environment) else { return Settings() }
        return try load(path: path)
    }

    /// Reads the file at `path` (not validated: see `validate()`).
    public static func load(path: String) throws(SettingsError) -> Settings {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingsError(.file(path), .unreadable)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw SettingsError(.file(path), .notUTF8)
        }
        return try decode(text, path: path, baseDirectory: directory(of: path))
    }

    /// Decodes configuration text over the defaults; relative paths are resolved against
    /// `baseDirectory`. Types and keys are checked here, ranges by `validate()`.
    public static func decode(_ text: String, path: String, baseDirectory: String) throws(SettingsError) -> Settings {
        var decoder = TOMLDecoder(strictDecoding: true)
        decoder.userInfo[.baseDirectory] = baseDirectory
        var settings: Settings
        do {
            settings = try decoder.decode(Settings.self, from: text)
        } catch let error as TOMLParseError {
            throw SettingsError(.file(path), .syntax(line: error.source.begin.line, column: error.source.begin.column, message: error.description))
        } catch let error as UnexpectedKeysError {
            let key = error.keys.values.map { $0.map(\.stringValue).joined(separator: ".") }.sorted().first ?? "?"
            throw SettingsError(.file(path), .unknownKey(key))
        } catch let error as SettingsError {
            throw SettingsError(.file(path), error.problem)
        } catch let DecodingError.typeMismatch(_, context) {
            // A section that is not a table (`daemon = 1`).
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw SettingsError(.file(path), .invalid(key: key, expected: "a table [\(key)]", found: "a value"))
        } catch {
            throw SettingsError(.file(path), .syntax(line: 0, column: 0, message: "\(error)"))
        }
        settings.file = path
        return settings
    }
}

extension CodingUserInfoKey {
    /// The directory relative paths of a file are resolved against.
    static let baseDirectory = CodingUserInfoKey(rawValue: "metiers.baseDirectory")!
}

/// Directory part of a path ("." when it has none).
func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let dir = String(path[..<slash])
    return dir.isEmpty ? "/" : dir
}

// MARK: - Decoding: each section over its defaults, key by key.

extension Settings: Decodable {
    enum CodingKeys: String, CodingKey { case daemon, http, index, search, limits }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        daemon = try c.decodeIfPresent(Daemon.self, forKey: .daemon) ?? daemon
        http = try c.decodeIfPresent(HTTP.self, forKey: .http) ?? http
        index = try c.decodeIfPresent(Index.self, forKey: .index) ?? index
        search = try c.decodeIfPresent(Search.self, forKey: .search) ?? search
        limits = try c.decodeIfPresent(Limits.self, forKey: .limits) ?? limits
    }
}

extension Settings.Daemon: Decodable {
    enum CodingKeys: String, CodingKey {
        case socket, logLevel = "log_level", threads, searchWorkers = "search_workers"
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let base = decoder.userInfo[.baseDirectory] as? String
        try c.path(&socket, .socket, base: base)
        try c.setting(&logLevel, .logLevel)
        try c.setting(&threads, .threads)
        try c.setting(&searchWorkers, .searchWorkers)
    }
}

extension Settings.HTTP: Decodable {
    enum CodingKeys: String, CodingKey {
        case listen, staticDirectory = "static", tokenFile = "token_file"
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let base = decoder.userInfo[.baseDirectory] as? String
        try c.setting(&listen, .listen)
        try c.path(&staticDirectory, .staticDirectory, base: base)
        try c.path(&tokenFile, .tokenFile, base: base)
    }
}

extension Settings.Index: Decodable {
    enum CodingKeys: String, CodingKey {
        case database, cards, vocabulary, rome, rankingModel = "ranking_model", reloadCheckSeconds = "reload_check_seconds"
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let base = decoder.userInfo[.baseDirectory] as? String
        try c.path(&database, .database, base: base)
        try c.path(&cards, .cards, base: base)
        try c.path(&vocabulary, .vocabulary, base: base)
        try c.path(&rome, .rome, base: base)
        try c.path(&rankingModel, .rankingModel, base: base)
        try c.setting(&reloadCheckSeconds, .reloadCheckSeconds)
    }
}

extension Settings.Search: Decodable {
    enum CodingKeys: String, CodingKey { case defaultLimit = "default_limit", minConfidence = "min_confidence" }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.setting(&defaultLimit, .defaultLimit)
        if c.contains(.minConfidence) {
            var threshold = 0.0
            try c.setting(&threshold, .minConfidence)
            minConfidence = threshold
        }
    }
}

extension Settings.Limits: Decodable {
    enum CodingKeys: String, CodingKey {
        case maxLineBytes = "max_line_bytes", maxConnections = "max_connections", idleTimeoutSeconds = "idle_timeout_seconds"
        case requestTimeoutMs = "request_timeout_ms", maxQueuedRequests = "max_queued_requests", maxPhrases = "max_phrases"
        case maxPhraseWords = "max_phrase_words", maxExclusions = "max_exclusions", maxTerms = "max_terms"
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.setting(&maxLineBytes, .maxLineBytes)
        try c.setting(&maxConnections, .maxConnections)
        try c.setting(&idleTimeoutSeconds, .idleTimeoutSeconds)
        try c.setting(&requestTimeoutMs, .requestTimeoutMs)
        try c.setting(&maxQueuedRequests, .maxQueuedRequests)
        try c.setting(&maxPhrases, .maxPhrases)
        try c.setting(&maxPhraseWords, .maxPhraseWords)
        try c.setting(&maxExclusions, .maxExclusions)
        try c.setting(&maxTerms, .maxTerms)
    }
}

extension KeyedDecodingContainer {
    /// Replaces `value` with the file's, when the file has the key; a value of another type is
    /// an error that names the key, the type expected and what was found.
    func setting(_ value: inout String, _ key: Key) throws(SettingsError) {
        guard contains(key) else { return }
        guard let decoded = try? decode(String.self, forKey: key) else { throw mismatch(key, expected: "a string") }
        value = decoded
    }

    func setting(_ value: inout Int, _ key: Key) throws(SettingsError) {
        guard contains(key) else { return }
        guard let decoded = try? decode(Int.self, forKey: key) else { throw mismatch(key, expected: "an integer") }
        value = decoded
    }

    /// A number: a TOML float or integer.
    func setting(_ value: inout Double, _ key: Key) throws(SettingsError) {
        guard contains(key) else { return }
        if let decoded = try? decode(Double.self, forKey: key) {
            value = decoded
        } else if let decoded = try? decode(Int.self, forKey: key) {
            value = Double(decoded)
        } else {
            throw mismatch(key, expected: "a number")
        }
    }

    /// A path, resolved against `base` unless absolute.
    func path(_ value: inout String, _ key: Key, base: String?) throws(SettingsError) {
        guard contains(key) else { return }
        try setting(&value, key)
        if let base, !base.isEmpty, !value.hasPrefix("/") { value = base + "/" + value }
    }

    func mismatch(_ key: Key, expected: String) -> SettingsError {
        let name = (codingPath + [key]).map(\.stringValue).joined(separator: ".")
        return SettingsError(.defaults, .invalid(key: name, expected: expected, found: found(key)))
    }

    /// What the file holds at `key`, for an error message.
    func found(_ key: Key) -> String {
        if let s = try? decode(String.self, forKey: key) { return "the string \"\(s)\"" }
        if let i = try? decode(Int.self, forKey: key) { return "the integer \(i)" }
        if let d = try? decode(Double.self, forKey: key) { return "the number \(d)" }
        if let b = try? decode(Bool.self, forKey: key) { return "the boolean \(b)" }
        if (try? nestedUnkeyedContainer(forKey: key)) != nil { return "an array" }
        return "a table or a date"
    }
}

extension Settings {
    /// The socket the client connects to: `flag`, else `$METIERS_SOCKET`, else the
    /// configuration's (`config`, `$METIERS_CONFIG`, …; validated), else the default.
    public static func clientSocket(flag: String?, config: String?, environment: [String: String]) throws(SettingsError) -> String {
        if let flag { return flag }
        if let fromEnvironment = environment["METIERS_SOCKET"], !fromEnvironment.isEmpty { return fromEnvironment }
        let settings = try load(explicit: config, environment: environment)
        try settings.validate()
        return settings.daemon.socket
    }
}
