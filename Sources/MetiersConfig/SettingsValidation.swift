import Logging

extension Settings {
    /// The log levels, by name.
    public static let logLevels = Logger.Level.allCases.map(\.rawValue)

    /// Checks every value against its range, once, after the file and the flags: the first
    /// out of range is an error that names where it came from (the file or the flag), the key,
    /// what is expected and what was found.
    public func validate() throws(SettingsError) {
        guard Self.logLevels.contains(daemon.logLevel) else {
            throw SettingsError(source(of: "daemon.log_level"), .invalid(
                key: "daemon.log_level", expected: "one of \(Self.logLevels.joined(separator: ", "))", found: "\"\(daemon.logLevel)\""))
        }
        if !http.listen.isEmpty, HTTPAddress(http.listen) == nil {
            throw SettingsError(source(of: "http.listen"), .invalid(
                key: "http.listen", expected: "host:port (127.0.0.1:8080, [::1]:8080), or empty for no HTTP listener", found: "\"\(http.listen)\""))
        }
        try check("daemon.threads", daemon.threads, 0...256)
        try check("daemon.search_workers", daemon.searchWorkers, 0...256)
        try check("index.reload_check_seconds", index.reloadCheckSeconds, 0...86_400)
        try check("search.default_limit", search.defaultLimit, 1...100)
        if let threshold = search.minConfidence { try check("search.min_confidence", threshold, 0...1) }
        try check("limits.max_line_bytes", limits.maxLineBytes, 1024...(1 << 30))
        try check("limits.max_connections", limits.maxConnections, 1...100_000)
        try check("limits.idle_timeout_seconds", limits.idleTimeoutSeconds, 0.01...86_400)
        try check("limits.request_timeout_ms", limits.requestTimeoutMs, 1...3_600_000)
        try check("limits.max_queued_requests", limits.maxQueuedRequests, 1...100_000)
        try check("limits.max_phrases", limits.maxPhrases, 0...10_000)
        try check("limits.max_phrase_words", limits.maxPhraseWords, 1...10_000)
        try check("limits.max_exclusions", limits.maxExclusions, 0...10_000)
        try check("limits.max_terms", limits.maxTerms, 1...100_000)
    }

    /// The log level (valid once `validate()` passed).
    public var logLevel: Logger.Level { Logger.Level(rawValue: daemon.logLevel) ?? .info }

    private func check<Value: Comparable>(_ key: String, _ value: Value, _ range: ClosedRange<Value>) throws(SettingsError) {
        guard !range.contains(value) else { return }
        throw SettingsError(source(of: key), .invalid(key: key, expected: "between \(range.lowerBound) and \(range.upperBound)", found: "\(value)"))
    }
}

/// An HTTP listening address, `host:port`: an IPv4 address or name, or an IPv6 address in
/// brackets, and a port 0–65535 (0: any free port).
public struct HTTPAddress: Equatable, Sendable {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(Character(":")) {
            return nil
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        self.host = host
        self.port = port
    }

    /// Whether the host is a loopback address (127.0.0.0/8, ::1, localhost): only this machine reaches it.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
