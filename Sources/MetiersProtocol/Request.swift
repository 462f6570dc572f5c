#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersModel

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
    /// Most postings in one classify request.
    public static let maxPostings = 1000
    /// Most values in one filter.
    public static let maxFilterValues = 100
    /// Longest `suggest` query, in bytes: a title being typed, not a text.
    public static let maxSuggestQueryBytes = 200
    /// Largest `suggest` limit, and the one used when the request gives none.
    public static let maxSuggestLimit = 20
    public static let defaultSuggestLimit = 8
    /// Most moves a `mobility` request may follow each way.
    public static let maxSteps = 10
    /// Deepest nesting of arrays and objects in a request line (a request needs 3).
    public static let maxJSONDepth = 32
}

/// The operations of this protocol version, by their `op` string: the one list of names that
/// requests, responses and the HTTP routes share.
public enum OperationName: String, CaseIterable, Codable, Sendable {
    case search, map, classify, show, similar, cards, health, stats, reload, rome, suggest, mobility
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
        /// Free-text search.
        case search(SearchParameters)
        /// A job title to emploi-types (appellations weigh most).
        case map(SearchParameters)
        /// Up to 1,000 postings classified at once, each answered on its own.
        case classify(ClassifyParameters)
        /// One card with every field: `card` (its id).
        case show(card: String)
        /// The cards closest to a card, with the terms they share: `card`, `limit`.
        case similar(card: String, limit: Int?)
        /// Every card's summary (id, name, famille, sous-famille, ROME codes, appellations,
        /// passerelles), for exports and the mobility graph.
        case cards
        /// Daemon and index status.
        case health
        /// Counters since start: requests and errors by op and code, latency, connections, reloads.
        case stats
        /// Switch to the newest index now (as SIGHUP does).
        case reload
        /// A ROME code (fine `M1855` or older-generation `M1805`): its label, appellations and
        /// the cards that carry it.
        case rome(code: String)
        /// Title typeahead: the job titles that best complete `query` (the last word a prefix),
        /// at most `limit` (1…20; nil: 8).
        case suggest(query: String, limit: Int?)
        /// Career paths around a card: the cards people come from and go to along the
        /// passerelles, within `steps` moves (1–10, default 2), and the edges between them.
        case mobility(card: String, steps: Int?)

        /// The `op`.
        public var kind: OperationName {
            switch self {
            case .search: .search
            case .map: .map
            case .classify: .classify
            case .show: .show
            case .similar: .similar
            case .cards: .cards
            case .health: .health
            case .stats: .stats
            case .reload: .reload
            case .rome: .rome
            case .suggest: .suggest
            case .mobility: .mobility
            }
        }

        /// The `op` string.
        public var name: String { kind.rawValue }
    }

    /// The operations of this protocol version, as `op` strings.
    public static let operations = OperationName.allCases.map(\.rawValue)

    /// Decodes one request line. On failure, returns the error and whatever `id` could be read,
    /// so that the error response still carries it.
    public static func decode(_ line: some Collection<UInt8>) -> Result<Request, RequestDecodingFailure> {
        // Before any decoding work: the decoder's cost grows fast with depth.
        if let depth = JSONDepth.exceeds(RequestLimits.maxJSONDepth, in: line) {
            return .failure(RequestDecodingFailure(id: nil, error: ProtocolError(
                .badRequest, "the line nests arrays and objects \(depth) or more levels deep; at most \(RequestLimits.maxJSONDepth) levels are accepted")))
        }
        if let problem = StrictJSON.problem(in: line) {
            return .failure(RequestDecodingFailure(id: nil, error: ProtocolError(.badJSON, "the line is not valid JSON: \(problem)")))
        }
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
        guard let kind = OperationName(rawValue: op) else {
            throw ProtocolError(.unknownOp, "unknown op '\(op)'; one of: \(operations.joined(separator: ", "))")
        }
        let operation: Operation = switch kind {
        case .search: .search(try fields.searchParameters(textField: "query"))
        case .map: .map(try fields.searchParameters(textField: "title"))
        case .classify: .classify(try fields.classifyParameters())
        case .show: .show(card: try fields.cardID())
        case .similar: .similar(card: try fields.cardID(), limit: try fields.limit())
        case .cards: .cards
        case .health: .health
        case .stats: .stats
        case .reload: .reload
        case .rome: .rome(code: try fields.romeCode())
        case .suggest:
            .suggest(query: try fields.suggestQuery(), limit: try fields.optionalInteger("limit", range: 1...RequestLimits.maxSuggestLimit))
        case .mobility:
            .mobility(card: try fields.cardID(), steps: try fields.optionalInteger("steps", range: 1...RequestLimits.maxSteps))
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

    /// The request as one JSON object (what a client sends), without a newline. Throws for a
    /// value JSON cannot write (a non-finite number as the id).
    public func encoded() throws -> Data {
        try WireJSON.line(self)
    }
}

/// What a client sends: the fields of `Request.decode`, those at their default left out.
extension Request: Encodable {
    enum CodingKeys: String, CodingKey {
        case v, id, op, query, title, limit, offset, explain, facets, postings, card, code, steps
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .v)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(operation.name, forKey: .op)
        switch operation {
        case .search(let p):
            try c.encode(p.text, forKey: .query)
            try p.encode(to: encoder)
        case .map(let p):
            try c.encode(p.text, forKey: .title)
            try p.encode(to: encoder)
        case .classify(let p):
            try c.encode(p.postings, forKey: .postings)
            try c.encodeIfPresent(p.limit, forKey: .limit)
            try p.filters.encode(to: encoder)
        case .show(let card):
            try c.encode(card, forKey: .card)
        case .similar(let card, let limit):
            try c.encode(card, forKey: .card)
            try c.encodeIfPresent(limit, forKey: .limit)
        case .rome(let code):
            try c.encode(code, forKey: .code)
        case .suggest(let query, let limit):
            try c.encode(query, forKey: .query)
            try c.encodeIfPresent(limit, forKey: .limit)
        case .mobility(let card, let steps):
            try c.encode(card, forKey: .card)
            try c.encodeIfPresent(steps, forKey: .steps)
        case .cards, .health, .stats, .reload:
            break
        }
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

    /// Field `name` as `cast` reads it; nil when absent or null, and a bad_request naming what it
    /// must be (`expected`) when `cast` cannot read it.
    private mutating func field<T>(_ name: String, _ expected: String, _ cast: (JSONValue) -> T?) throws(ProtocolError) -> T? {
        read.insert(name)
        guard let value = object[name], value != .null else { return nil }
        guard let typed = cast(value) else { throw ProtocolError(.badRequest, "field '\(name)' must be \(expected), found \(value.typeName)") }
        return typed
    }

    mutating func string(_ name: String) throws(ProtocolError) -> String? {
        try field(name, "a string") { if case .string(let s) = $0 { s } else { nil } }
    }

    /// false when absent.
    mutating func boolean(_ name: String) throws(ProtocolError) -> Bool {
        try field(name, "true or false") { if case .bool(let b) = $0 { b } else { nil } } ?? false
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

    /// The `code` of a rome request: a ROME code, a letter A–N and four digits (case ignored).
    mutating func romeCode() throws(ProtocolError) -> String {
        let code = try requiredText("code").uppercased()
        guard RomeMetier.isValidCode(code) else {
            throw ProtocolError(.badRequest, "field 'code' must be a ROME code such as M1805 or M1855 (a letter A–N and four digits)")
        }
        return code
    }

    /// The `query` of a suggest request: at most 200 bytes, not only white space.
    mutating func suggestQuery() throws(ProtocolError) -> String {
        guard let text = try string("query") else { throw ProtocolError(.badRequest, "field 'query' is missing") }
        guard text.utf8.count <= RequestLimits.maxSuggestQueryBytes else {
            throw ProtocolError(.badRequest, "field 'query' is \(text.utf8.count) bytes long; at most \(RequestLimits.maxSuggestQueryBytes) are accepted for suggest")
        }
        guard !text.allSatisfy(\.isWhitespace) else { throw ProtocolError(.emptyQuery, "field 'query' is empty: type the start of a job title") }
        return text
    }

    mutating func cardID() throws(ProtocolError) -> String {
        guard let card = try string("card"), !card.isEmpty else {
            throw ProtocolError(.badRequest, "field 'card' (the id of an emploi-type) is missing")
        }
        return card
    }

    /// A filter: absent, one string, or an array of strings.
    mutating func stringList(_ name: String) throws(ProtocolError) -> [String] {
        read.insert(name)
        switch object[name] {
        case nil, .null?: return []
        case .string(let s)?: return [s]
        case .array(let values)?:
            guard values.count <= RequestLimits.maxFilterValues else {
                throw ProtocolError(.badRequest, "field '\(name)' has \(values.count) values; at most \(RequestLimits.maxFilterValues)")
            }
            var result: [String] = []
            for value in values {
                guard case .string(let s) = value else {
                    throw ProtocolError(.badRequest, "field '\(name)' must be a string or an array of strings, found an array holding \(value.typeName)")
                }
                result.append(s)
            }
            return result
        case let other?:
            throw ProtocolError(.badRequest, "field '\(name)' must be a string or an array of strings, found \(other.typeName)")
        }
    }

    mutating func filters() throws(ProtocolError) -> Filters {
        Filters(famille: try stringList("famille"), sousFamille: try stringList("sous_famille"), rome: try stringList("rome"))
    }

    mutating func searchParameters(textField: String) throws(ProtocolError) -> SearchParameters {
        SearchParameters(
            text: try requiredText(textField), limit: try limit(), offset: try offset(), explain: try boolean("explain"),
            filters: try filters(), facets: try boolean("facets"))
    }

    mutating func classifyParameters() throws(ProtocolError) -> ClassifyParameters {
        read.insert("postings")
        guard case .array(let values)? = object["postings"] else {
            if object["postings"] == nil { throw ProtocolError(.badRequest, "field 'postings' is missing: an array of {id, title, description}") }
            throw ProtocolError(.badRequest, "field 'postings' must be an array of objects, found \(object["postings"]!.typeName)")
        }
        guard values.count <= RequestLimits.maxPostings else {
            throw ProtocolError(.badRequest, "\(values.count) postings in one request; at most \(RequestLimits.maxPostings): send them in batches")
        }
        let postings = values.enumerated().map { index, value in Posting.read(value, index: index) }
        return ClassifyParameters(postings: postings, limit: try limit(), filters: try filters())
    }

    func rejectUnread(op: String) throws(ProtocolError) {
        let unknown = object.keys.filter { !read.contains($0) }.sorted()
        if let first = unknown.first {
            throw ProtocolError(.badRequest, "unknown field '\(first)' for op '\(op)'")
        }
    }
}

/// Filters on `search`, `map` and `classify`: a card passes when it matches one value of each
/// given filter. `famille` and `sous_famille` compare without case or accents; `rome` takes
/// codes of either generation: an older-generation code ("M1805") selects the cards that carry
/// it, a fine code ("M1855") the cards its ROME titles extend (or, when none, the cards that
/// carry its older-generation code).
public struct Filters: Encodable, Equatable, Sendable {
    public var famille: [String]
    public var sousFamille: [String]
    public var rome: [String]

    public init(famille: [String] = [], sousFamille: [String] = [], rome: [String] = []) {
        self.famille = famille
        self.sousFamille = sousFamille
        self.rome = rome
    }

    public var isEmpty: Bool { famille.isEmpty && sousFamille.isEmpty && rome.isEmpty }

    enum CodingKeys: String, CodingKey {
        case famille, rome
        case sousFamille = "sous_famille"
    }

    /// The filters given, each as an array, into the request object.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if !famille.isEmpty { try c.encode(famille, forKey: .famille) }
        if !sousFamille.isEmpty { try c.encode(sousFamille, forKey: .sousFamille) }
        if !rome.isEmpty { try c.encode(rome, forKey: .rome) }
    }
}

/// Parameters of `search` and `map`.
public struct SearchParameters: Encodable, Equatable, Sendable {
    /// The query (`query` for search, `title` for map).
    public var text: String
    /// 1…100; nil: the daemon's default.
    public var limit: Int?
    /// 0…10000.
    public var offset: Int
    /// Add the confidence model's inputs to each result.
    public var explain: Bool
    public var filters: Filters
    /// Add counts per famille and ROME code over the matching cards.
    public var facets: Bool

    public init(text: String, limit: Int? = nil, offset: Int = 0, explain: Bool = false, filters: Filters = Filters(), facets: Bool = false) {
        self.text = text
        self.limit = limit
        self.offset = offset
        self.explain = explain
        self.filters = filters
        self.facets = facets
    }

    enum CodingKeys: String, CodingKey {
        case limit, offset, explain, facets
    }

    /// Everything but the text (whose key depends on the operation) into the request object.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(limit, forKey: .limit)
        if offset != 0 { try c.encode(offset, forKey: .offset) }
        if explain { try c.encode(true, forKey: .explain) }
        if facets { try c.encode(true, forKey: .facets) }
        try filters.encode(to: encoder)
    }
}

/// One posting to classify, or why it cannot be.
public enum Posting: Encodable, Equatable, Sendable {
    case valid(id: JSONValue?, title: String?, description: String?)
    case invalid(id: JSONValue?, ProtocolError)

    /// The caller's id, echoed on the item.
    public var id: JSONValue? {
        switch self {
        case .valid(let id, _, _), .invalid(let id, _): id
        }
    }

    /// Reads one element of `postings`; a bad element fails alone.
    static func read(_ value: JSONValue, index: Int) -> Posting {
        guard case .object(let o) = value else {
            return .invalid(id: nil, ProtocolError(.badRequest, "posting \(index) must be an object, found \(value.typeName)"))
        }
        let id = o["id"]
        if let id, case .array = id { return .invalid(id: nil, ProtocolError(.badRequest, "posting \(index): 'id' must be a string or a number")) }
        if let id, case .object = id { return .invalid(id: nil, ProtocolError(.badRequest, "posting \(index): 'id' must be a string or a number")) }
        var texts: [String: String] = [:]
        for key in ["title", "description"] {
            switch o[key] {
            case nil, .null?: continue
            case .string(let s)?:
                guard s.utf8.count <= RequestLimits.maxQueryBytes else {
                    return .invalid(id: id, ProtocolError(.badRequest, "posting \(index): '\(key)' is longer than \(RequestLimits.maxQueryBytes) bytes"))
                }
                texts[key] = s
            case let other?:
                return .invalid(id: id, ProtocolError(.badRequest, "posting \(index): '\(key)' must be a string, found \(other.typeName)"))
            }
        }
        if let unknown = o.keys.filter({ !["id", "title", "description"].contains($0) }).sorted().first {
            return .invalid(id: id, ProtocolError(.badRequest, "posting \(index): unknown field '\(unknown)' (expected id, title, description)"))
        }
        let title = texts["title"].flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        let description = texts["description"].flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        guard title != nil || description != nil else {
            return .invalid(id: id, ProtocolError(.badRequest, "posting \(index) has neither a title nor a description"))
        }
        return .valid(id: id, title: title, description: description)
    }

    enum CodingKeys: String, CodingKey {
        case id, title, description
    }

    /// The posting as sent (an invalid one: its id alone).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        if case .valid(_, let title, let description) = self {
            try c.encodeIfPresent(title, forKey: .title)
            try c.encodeIfPresent(description, forKey: .description)
        }
    }
}

/// Parameters of `classify`.
public struct ClassifyParameters: Equatable, Sendable {
    public var postings: [Posting]
    /// Emploi-types per posting (1…100; nil: 3).
    public var limit: Int?
    public var filters: Filters

    public init(postings: [Posting], limit: Int? = nil, filters: Filters = Filters()) {
        self.postings = postings
        self.limit = limit
        self.filters = filters
    }
}

/// What Foundation's JSONDecoder lets through but JSON (RFC 8259) over this protocol does not:
/// text that is not UTF-8 (it guesses UTF-16 and 32), a byte-order mark, raw control characters,
/// and trailing commas.
enum StrictJSON {
    static func problem(in line: some Collection<UInt8>) -> String? {
        let bytes = Array(line)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return "a byte-order mark; send UTF-8 without one"
        }
        if String(validating: bytes, as: UTF8.self) == nil { return "it is not UTF-8" }
        var inString = false
        var escaped = false
        var lastSignificant: UInt8 = 0
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                if b < 0x20 { return "a raw control character inside a string (escape it)" }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inString = true
                lastSignificant = b
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if lastSignificant == UInt8(ascii: ",") { return "a trailing comma before '\(Character(Unicode.Scalar(b)))'" }
                lastSignificant = b
            case 0x20, 0x09, 0x0A, 0x0D:
                continue
            default:
                if b < 0x20 { return "a control character (byte \(b)) outside a string" }
                lastSignificant = b
            }
        }
        return nil
    }
}

/// A byte scan for nesting depth, cheap enough to run on every line before decoding: brackets
/// and braces inside strings (escapes included) do not count.
public enum JSONDepth {
    /// The depth reached once it is over `limit` (the scan stops there), nil when the line
    /// stays within it.
    public static func exceeds(_ limit: Int, in line: some Collection<UInt8>) -> Int? {
        if let found = line.withContiguousStorageIfAvailable({ scan($0, limit: limit) }) { return found }
        return Array(line).withUnsafeBufferPointer { scan($0, limit: limit) }
    }

    private static func scan(_ line: UnsafeBufferPointer<UInt8>, limit: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for b in line {
            if inString {
                if escaped {
                    escaped = false
                } else if b == UInt8(ascii: "\\") {
                    escaped = true
                } else if b == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return depth }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            default:
                continue
            }
        }
        return nil
    }
}
