/// Stable error codes of the protocol. A client may switch on them; messages are for people.
public enum ErrorCode: String, Codable, Sendable, CaseIterable {
    /// The line is not valid JSON (or not UTF-8). Fix the client's encoder.
    case badJSON = "bad_json"
    /// The JSON is valid but the request is not: a field missing, of the wrong type, out of
    /// range, or unknown. The message names the field.
    case badRequest = "bad_request"
    /// `op` names no operation of this protocol version.
    case unknownOp = "unknown_op"
    /// `v` is a protocol version this daemon does not speak.
    case unsupportedVersion = "unsupported_version"
    /// The query has nothing to search for (empty, punctuation or function words only).
    case emptyQuery = "empty_query"
    /// The query's syntax is wrong (e.g. an unbalanced double quote); the message says where.
    case querySyntax = "query_syntax"
    /// No card has the requested id.
    case notFound = "not_found"
    /// The daemon has no usable index (missing, corrupt, wrong schema). Rebuild it.
    case indexUnavailable = "index_unavailable"
    /// The request line is longer than the daemon accepts; the connection is then closed.
    case lineTooLong = "line_too_long"
    /// The daemon is at its connection limit (the connection is then closed), or its queue of
    /// requests waiting for a search worker is full (the connection stays open). Retry later.
    case overloaded = "overloaded"
    /// The query has more quoted phrases than the daemon accepts; the message gives both counts.
    case tooManyPhrases = "too_many_phrases"
    /// A quoted phrase has more words than the daemon accepts; the message gives both counts.
    case phraseTooLong = "phrase_too_long"
    /// The query has more `-word` exclusions than the daemon accepts; the message gives both counts.
    case tooManyExclusions = "too_many_exclusions"
    /// The query has more distinct words than the daemon accepts; the message gives both counts.
    case tooManyTerms = "too_many_terms"
    /// The request (or the rest of a classify batch) ran past the per-request time budget.
    case timeout = "timeout"
    /// A reload failed (missing, corrupt or wrong-schema index); the previous index is still served.
    case reloadFailed = "reload_failed"
    /// A failure inside the daemon; the request may be retried. Reported with details in the log.
    case `internal` = "internal"
}

/// A protocol error: a stable code and a message a person can act on.
public struct ProtocolError: Error, Codable, Equatable, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
