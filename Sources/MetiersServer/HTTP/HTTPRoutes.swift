#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MetiersProtocol

/// The REST face of the protocol: each route becomes the request object a socket client would
/// send (`{"op":"search","query":…}`), encoded as one line, so that the socket's decoder, limits,
/// queue, time budget and error codes answer it unchanged. Pure: no channel, no index.
enum HTTPRoutes {
    /// What a request asks for.
    enum Target {
        /// A protocol request line, for the dispatcher.
        case protocolLine([UInt8])
        /// A classify body, parsed into its line by a search worker (`ClassifyBody.line()`):
        /// the event loop does not parse a body of up to `limits.max_line_bytes`.
        case classify(ClassifyBody)
        /// An answer known without the protocol (a route's own error): status and the
        /// protocol's error object.
        case failure(status: Int, ProtocolError, allow: String? = nil)
        /// The Prometheus text.
        case metrics
        /// A file of the static directory, by its path relative to the directory.
        case staticFile(String)
    }

    /// A query parameter's type, for the JSON it becomes.
    enum Kind { case string, integer, boolean, list }

    /// A route that becomes a protocol request: its op, the query parameters it takes (their
    /// name in the request object and kind), and the path parameter's field.
    struct Operation {
        let op: String
        let parameters: [String: (field: String, kind: Kind)]
    }

    static let filters: [String: (field: String, kind: Kind)] = [
        "famille": ("famille", .list), "sous_famille": ("sous_famille", .list), "rome": ("rome", .list),
    ]
    static let paging: [String: (field: String, kind: Kind)] = ["limit": ("limit", .integer), "offset": ("offset", .integer)]
    static let flags: [String: (field: String, kind: Kind)] = ["facets": ("facets", .boolean), "explain": ("explain", .boolean)]

    static let search = Operation(op: "search", parameters: ["q": ("query", .string)].merging(filters) { a, _ in a }.merging(paging) { a, _ in a }.merging(flags) { a, _ in a })
    static let map = Operation(op: "map", parameters: ["title": ("title", .string)].merging(filters) { a, _ in a }.merging(paging) { a, _ in a }.merging(flags) { a, _ in a })
    static let suggest = Operation(op: "suggest", parameters: ["q": ("query", .string), "limit": ("limit", .integer)])
    static let health = Operation(op: "health", parameters: [:])
    static let stats = Operation(op: "stats", parameters: [:])
    static let show = Operation(op: "show", parameters: [:])
    static let cards = Operation(op: "cards", parameters: [:])
    static let similar = Operation(op: "similar", parameters: ["limit": ("limit", .integer)])
    static let mobility = Operation(op: "mobility", parameters: ["steps": ("steps", .integer)])
    static let rome = Operation(op: "rome", parameters: [:])

    /// The target of `method` on `uri` with `body` (`contentType` its media type, lowercased,
    /// without parameters). `hasStatic`: whether a static directory is served.
    static func target(method: String, uri: String, body: [UInt8], contentType: String?, hasStatic: Bool) -> Target {
        let (path, query) = split(uri)
        guard let segments = pathSegments(path) else {
            return .failure(status: 400, ProtocolError(.badRequest, "the path is not valid percent-encoded UTF-8"))
        }
        let get = method == "GET" || method == "HEAD"
        func only(_ allowed: String, _ make: () -> Target) -> Target {
            let ok = allowed == "POST" ? method == "POST" : get
            guard ok else { return methodNotAllowed(method, allow: allowed == "GET" ? "GET, HEAD" : allowed) }
            return make()
        }
        switch segments {
        case ["healthz"]: return only("GET") { line(health, query: query) }
        case ["metrics"]: return only("GET") { .metrics }
        case ["v1", "stats"]: return only("GET") { line(stats, query: query) }
        case ["v1", "search"]: return only("GET") { line(search, query: query) }
        case ["v1", "map"]: return only("GET") { line(map, query: query) }
        case ["v1", "suggest"]: return only("GET") { line(suggest, query: query) }
        case ["v1", "cards"]: return only("GET") { line(cards, query: query) }
        case ["v1", "classify"]: return only("POST") { .classify(ClassifyBody(body: body, contentType: contentType, query: query)) }
        case let s where s.count == 3 && s[0] == "v1" && s[1] == "cards":
            return only("GET") { line(show, query: query, fixed: ["card": .string(s[2])]) }
        case let s where s.count == 4 && s[0] == "v1" && s[1] == "cards" && s[3] == "similar":
            return only("GET") { line(similar, query: query, fixed: ["card": .string(s[2])]) }
        case let s where s.count == 4 && s[0] == "v1" && s[1] == "cards" && s[3] == "mobility":
            return only("GET") { line(mobility, query: query, fixed: ["card": .string(s[2])]) }
        case let s where s.count == 3 && s[0] == "v1" && s[1] == "rome":
            return only("GET") { line(rome, query: query, fixed: ["code": .string(s[2])]) }
        case let s where s.first == "v1":
            return notFound(path)
        default:
            // The page's routes take GET whether or not a directory is served.
            guard get else { return methodNotAllowed(method, allow: "GET, HEAD") }
            guard hasStatic else { return notFound(path) }
            let relative: [String]
            switch segments {
            case []: relative = ["index.html"]
            case let s where s.first == "static" && s.count > 1: relative = Array(s.dropFirst())
            case let s where s.count == 1: relative = s
            default: return notFound(path)
            }
            guard StaticFiles.safe(relative) else { return notFound(path) }
            return only("GET") { .staticFile(relative.joined(separator: "/")) }
        }
    }

    static func notFound(_ path: String) -> Target {
        .failure(status: 404, ProtocolError(.notFound, "no route \(path.prefix(200)); see docs/openapi.yaml"))
    }

    static func methodNotAllowed(_ method: String, allow: String) -> Target {
        .failure(status: 405, ProtocolError(.badRequest, "method \(method.prefix(20)) is not allowed here; allowed: \(allow)"), allow: allow)
    }

    /// The request line for `operation`: its query parameters by kind, then the path's fields.
    /// A parameter the route does not take goes into the object as it is, so the decoder names
    /// it (`unknown field`); a value of the wrong kind stays a string, and the decoder says what
    /// it expected.
    static func line(_ operation: Operation, query: [(String, String)], fixed: [String: JSONValue] = [:]) -> Target {
        var object: [String: JSONValue] = [:]
        for (name, value) in query {
            guard let (field, kind) = operation.parameters[name] else {
                // `op` and the path's fields come from the route alone.
                if name == "op" || fixed[name] != nil || operation.parameters.values.contains(where: { $0.field == name }) {
                    return .failure(status: 400, ProtocolError(.badRequest, "query parameter '\(name.prefix(40))' is not taken by this route"))
                }
                object[name] = .string(value)
                continue
            }
            switch kind {
            case .string:
                object[field] = .string(value)
            case .integer:
                object[field] = Int64(value).map(JSONValue.int) ?? .string(value)
            case .boolean:
                object[field] = value == "true" ? .bool(true) : value == "false" ? .bool(false) : .string(value)
            case .list:
                if case .array(let values)? = object[field] {
                    object[field] = .array(values + [.string(value)])
                } else {
                    object[field] = .array([.string(value)])
                }
            }
        }
        object["op"] = .string(operation.op)
        for (key, value) in fixed { object[key] = value }
        return protocolLine(object)
    }

    /// `POST /v1/classify`: a request object (`op` optional), or JSON Lines of postings
    /// (`application/x-ndjson`), with `limit` as a query parameter.
    struct ClassifyBody: Sendable {
        let body: [UInt8]
        let contentType: String?
        let query: [(String, String)]

        /// The request line; a failure is the client's request (each maps to 400).
        func line() -> Result<[UInt8], ProtocolError> {
            let ndjson = contentType == "application/x-ndjson" || contentType == "application/jsonl"
            var object: [String: JSONValue]
            if ndjson {
                var postings: [JSONValue] = []
                var number = 0
                for raw in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                    number += 1
                    if raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                    switch HTTPRoutes.parse(raw) {
                    case .success(let value): postings.append(value)
                    case .failure(let error): return .failure(ProtocolError(error.code, "line \(number): \(error.message)"))
                    }
                }
                object = ["postings": .array(postings)]
            } else {
                switch HTTPRoutes.parse(body[...]) {
                case .success(.object(let o)): object = o
                case .success(let other):
                    return .failure(ProtocolError(.badRequest, "the body must be a JSON object with 'postings', found \(other.typeName)"))
                case .failure(let error): return .failure(error)
                }
                if let op = object["op"], op != .string("classify") {
                    return .failure(ProtocolError(.badRequest, "field 'op' must be \"classify\" on this route (or absent)"))
                }
            }
            for (name, value) in query {
                guard name == "limit" else {
                    return .failure(ProtocolError(.badRequest, "query parameter '\(name.prefix(40))' is not taken by this route"))
                }
                object["limit"] = Int64(value).map(JSONValue.int) ?? .string(value)
            }
            object["op"] = .string("classify")
            return HTTPRoutes.encodedLine(object)
        }
    }

    /// One JSON value, its depth checked before decoding (as the socket's decoder does).
    static func parse(_ bytes: ArraySlice<UInt8>) -> Result<JSONValue, ProtocolError> {
        if let depth = JSONDepth.exceeds(RequestLimits.maxJSONDepth, in: bytes) {
            return .failure(ProtocolError(.badRequest, "the body nests arrays and objects \(depth) or more levels deep; at most \(RequestLimits.maxJSONDepth) levels are accepted"))
        }
        do {
            return .success(try JSONDecoder().decode(JSONValue.self, from: Data(bytes)))
        } catch {
            return .failure(ProtocolError(.badJSON, "the body is not valid JSON"))
        }
    }

    /// The request object as the line the socket would have been sent. Only a number JSON cannot
    /// write could fail here, and what was parsed from JSON has none: the failure is the client's
    /// request all the same, said rather than sent on as `{}`.
    static func protocolLine(_ object: [String: JSONValue]) -> Target {
        switch encodedLine(object) {
        case .success(let line): .protocolLine(line)
        case .failure(let error): .failure(status: 400, error)
        }
    }

    static func encodedLine(_ object: [String: JSONValue]) -> Result<[UInt8], ProtocolError> {
        do {
            return .success(Array(try WireJSON.line(JSONValue.object(object))))
        } catch {
            return .failure(ProtocolError(.badRequest, "the request cannot be written as JSON (\(error))"))
        }
    }

    /// The path and the decoded query parameters, in order (`+` is a space).
    static func split(_ uri: String) -> (path: String, query: [(String, String)]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, []) }
        let path = String(uri[..<mark])
        var query: [(String, String)] = []
        for pair in uri[uri.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(parts[0], plusIsSpace: true) ?? String(parts[0])
            let value = parts.count > 1 ? (percentDecode(parts[1], plusIsSpace: true) ?? String(parts[1])) : ""
            query.append((name, value))
        }
        return (path, query)
    }

    /// The path's segments, percent-decoded; nil when one is not valid UTF-8 once decoded.
    static func pathSegments(_ path: String) -> [String]? {
        var segments: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let segment = percentDecode(raw, plusIsSpace: false) else { return nil }
            segments.append(segment)
        }
        return segments
    }

    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex,
                    let hi = hex(utf8[h]), let lo = hex(utf8[utf8.index(after: h)])
                else { return nil }
                bytes.append(hi << 4 | lo)
                i = utf8.index(i, offsetBy: 3)
                continue
            }
            bytes.append(plusIsSpace && b == UInt8(ascii: "+") ? 0x20 : b)
            i = utf8.index(after: i)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: - Status

    /// The HTTP status of a protocol error code: the one table.
    static func status(for code: ErrorCode) -> Int {
        switch code {
        case .badJSON, .badRequest, .unknownOp, .unsupportedVersion, .emptyQuery, .querySyntax: 400
        case .tooManyPhrases, .phraseTooLong, .tooManyExclusions, .tooManyTerms: 400
        case .notFound: 404
        case .lineTooLong: 413
        case .overloaded, .indexUnavailable: 503
        case .timeout: 504
        case .reloadFailed, .internal: 500
        }
    }

    /// The error code of an encoded response, nil on success. Responses are written with sorted
    /// keys and a failure has no body, so a failure, and only a failure, begins with
    /// `{"error":{"code":"…"`.
    static func errorCode(ofResponse bytes: [UInt8]) -> ErrorCode? {
        let prefix = Array(#"{"error":{"code":""#.utf8)
        guard bytes.count > prefix.count, bytes.starts(with: prefix) else { return nil }
        let rest = bytes[prefix.count...]
        guard let quote = rest.firstIndex(of: UInt8(ascii: "\"")) else { return .internal }
        return ErrorCode(rawValue: String(decoding: rest[..<quote], as: UTF8.self)) ?? .internal
    }

    /// The error response body a route's own failure gets: the socket's shape.
    static func failureBody(_ error: ProtocolError, logger: Logger) -> [UInt8] {
        RequestHandler.encode(Response.failure(id: nil, op: nil, error), logger: logger)
    }
}
