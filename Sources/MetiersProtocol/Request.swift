#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The protocol version this module speaks.
public let metiersProtocolVersion = 1

/// Bounds on request fields.
public enum RequestLimits {
    /// Largest `limit` accepted.
    public static let maxLimit = 100
    /// Largest `offset` accepted.
    public static let maxOffset = 10_000
    /// Longest query or title, in bytes.
    public static let maxQueryBytes = 64 * 1024
}

/// A request: one JSON object on one line.
public struct Request: Equatable, Sendable {
    /// Protocol version (`"v"`); 1 when absent.
    public var version: Int
    /// Echoed on the response when present.
    public var id: RequestID?
    public var operation: Operation

    public init(id: RequestID? = nil, _ operation: Operation) {
        self.version = metiersProtocolVersion
        self.id = id
        self.operation = operation
    }

    /// What to do.
    public enum Operation: Equatable, Sendable {
        /// Free-text search: `query`, `limit` (1…100; nil: the daemon's default), `offset`
        /// (0…10000, default 0), `explain` (add the confidence model's inputs to each result).
        case search(query: String, limit: Int?, offset: Int, explain: Bool = false)
        /// A job title to emploi-types: `title`, `limit`, `offset`, `explain`.
        case map(title: String, limit: Int?, offset: Int, explain: Bool = false)
        /// One card with every field: `card` (its id).
        case show(card: String)
        /// Daemon and index status.
        case health

        /// The `op` string.
        public var name: String {
            switch self {
            case .search: "search"
            case .map: "map"
            case .show: "show"
            case .health: "health"
            }
        }
    }

    /// The operations of this protocol version.
    public static let operations = ["search", "map", "show", "health"]

    /// Decodes one request line. On failure, returns the error and whatever `id` could be read,
    /// so that the error response still carries it.
    public static func decode(_ line: some Collection<UInt8>) -> Result<Request, RequestDecodingFailure> {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(line))
        } catch {
            return .failure(RequestDecodingFailure(id: nil, error: ProtocolError(.badJSON, "the line is not valid JSON: \(Self.describe(error))")))
        }
        guard case .object(let object) = value else {
            return .failure(RequestDecodingFailure(id: nil, error: ProtocolError(.badRequest, "a request must be a JSON object, found \(value.typeName)")))
        }
        var id: RequestID?
        switch object["id"] {
        case nil, .null?: id = nil
        case .string(let s)?: id = .string(s)
        case .int(let i)?: id = .int(i)
        case .double(let d)?: id = .double(d)
        case let other?:
            return .failure(RequestDecodingFailure(id: nil, error: ProtocolError(.badRequest, "field 'id' must be a string or a number, found \(other.typeName)")))
        }
        do {
            return .success(try parse(object, id: id))
        } catch {
            return .failure(RequestDecodingFailure(id: id, error: error))
        }
    }

    private static func parse(_ object: [String: JSONValue], id: RequestID?) throws(ProtocolError) -> Request {
        var fields = FieldReader(object)
        let version = try fields.integer("v", default: metiersProtocolVersion, range: Int.min...Int.max)
        guard version == metiersProtocolVersion else {
            throw ProtocolError(.unsupportedVersion, "protocol version \(version) is not supported; this daemon speaks \"v\": \(metiersProtocolVersion)")
        }
        guard let op = try fields.string("op") else {
            throw ProtocolError(.badRequest, "field 'op' is missing; one of: \(operations.joined(separator: ", "))")
        }
        let operation: Operation
        switch op {
        case "search":
            let query = try fields.requiredText("query")
            operation = .search(query: query, limit: try fields.limit(), offset: try fields.offset(), explain: try fields.boolean("explain"))
        case "map":
            let title = try fields.requiredText("title")
            operation = .map(title: title, limit: try fields.limit(), offset: try fields.offset(), explain: try fields.boolean("explain"))
        case "show":
            guard let card = try fields.string("card"), !card.isEmpty else {
                throw ProtocolError(.badRequest, "field 'card' (the id of an emploi-type) is missing")
            }
            operation = .show(card: card)
        case "health":
            operation = .health
        default:
            throw ProtocolError(.unknownOp, "unknown op '\(op)'; one of: \(operations.joined(separator: ", "))")
        }
        try fields.rejectUnread(op: op)
        var request = Request(id: id, operation)
        request.version = version
        return request
    }

    private static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .dataCorrupted(let context):
                if let underlying = context.underlyingError { return "\(underlying)" }
                return context.debugDescription
            default: return "\(decoding)"
            }
        }
        return "\(error)"
    }

    /// The request as one JSON object (what a client sends), without a newline.
    public func encoded() -> Data {
        var object: [String: JSONValue] = ["v": .int(Int64(version)), "op": .string(operation.name)]
        switch id {
        case .string(let s)?: object["id"] = .string(s)
        case .int(let i)?: object["id"] = .int(i)
        case .double(let d)?: object["id"] = .double(d)
        case nil: break
        }
        switch operation {
        case .search(let query, let limit, let offset, let explain):
            object["query"] = .string(query)
            if let limit { object["limit"] = .int(Int64(limit)) }
            object["offset"] = .int(Int64(offset))
            if explain { object["explain"] = .bool(true) }
        case .map(let title, let limit, let offset, let explain):
            object["title"] = .string(title)
            if let limit { object["limit"] = .int(Int64(limit)) }
            object["offset"] = .int(Int64(offset))
            if explain { object["explain"] = .bool(true) }
        case .show(let card):
            object["card"] = .string(card)
        case .health:
            break
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(JSONValue.object(object))) ?? Data()
    }
}

/// A request that could not be decoded, with the id to echo if one was readable.
public struct RequestDecodingFailure: Error, Equatable, Sendable {
    public var id: RequestID?
    public var error: ProtocolError
}

/// Reads typed fields of a request object, remembering which were read so that unknown fields
/// are reported instead of silently ignored.
struct FieldReader {
    let object: [String: JSONValue]
    private var read: Set<String> = ["v", "id", "op"]

    init(_ object: [String: JSONValue]) { self.object = object }

    mutating func string(_ name: String) throws(ProtocolError) -> String? {
        read.insert(name)
        switch object[name] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw ProtocolError(.badRequest, "field '\(name)' must be a string, found \(other.typeName)")
        }
    }

    mutating func boolean(_ name: String) throws(ProtocolError) -> Bool {
        read.insert(name)
        switch object[name] {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case let other?: throw ProtocolError(.badRequest, "field '\(name)' must be true or false, found \(other.typeName)")
        }
    }

    mutating func requiredText(_ name: String) throws(ProtocolError) -> String {
        guard let text = try string(name) else { throw ProtocolError(.badRequest, "field '\(name)' is missing") }
        guard text.utf8.count <= RequestLimits.maxQueryBytes else {
            throw ProtocolError(.badRequest, "field '\(name)' is \(text.utf8.count) bytes long; at most \(RequestLimits.maxQueryBytes) are accepted")
        }
        return text
    }

    mutating func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(ProtocolError) -> Int {
        try optionalInteger(name, range: range) ?? value
    }

    mutating func optionalInteger(_ name: String, range: ClosedRange<Int>) throws(ProtocolError) -> Int? {
        read.insert(name)
        let number: Int
        switch object[name] {
        case nil, .null?: return nil
        case .int(let i)?:
            guard let n = Int(exactly: i) else { throw ProtocolError(.badRequest, "field '\(name)' is out of range") }
            number = n
        case .double(let d)?:
            guard d.rounded() == d, let n = Int(exactly: d) else {
                throw ProtocolError(.badRequest, "field '\(name)' must be an integer, found \(d)")
            }
            number = n
        case let other?:
            throw ProtocolError(.badRequest, "field '\(name)' must be an integer, found \(other.typeName)")
        }
        guard range.contains(number) else {
            throw ProtocolError(.badRequest, "field '\(name)' must be between \(range.lowerBound) and \(range.upperBound), found \(number)")
        }
        return number
    }

    mutating func limit() throws(ProtocolError) -> Int? {
        try optionalInteger("limit", range: 1...RequestLimits.maxLimit)
    }

    mutating func offset() throws(ProtocolError) -> Int {
        try integer("offset", default: 0, range: 0...RequestLimits.maxOffset)
    }

    func rejectUnread(op: String) throws(ProtocolError) {
        let unknown = object.keys.filter { !read.contains($0) }.sorted()
        if let first = unknown.first {
            throw ProtocolError(.badRequest, "unknown field '\(first)' for op '\(op)'")
        }
    }
}
