#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersCorpus

/// A response: one JSON object on one line, in the order requests came. Fields that do not
/// apply to an operation are absent.
public struct Response: Codable, Equatable, Sendable {
    /// Protocol version.
    public var v: Int = metiersProtocolVersion
    /// The request's `id`, when it had one.
    public var id: RequestID?
    /// True on success; false with `error` on failure.
    public var ok: Bool
    /// The operation answered (absent when the request could not be read).
    public var op: String?
    public var error: ProtocolError?

    /// Version of the index that answered (search, map, show, health).
    public var indexVersion: String?

    // search, map
    /// Ranked cards, best first.
    public var results: [SearchResult]?
    /// Estimated number of matching cards in all (for paging).
    public var total: Int?
    /// The corrected query when unknown words were replaced by a spelling suggestion.
    public var didYouMean: String?

    // show
    public var card: Card?

    // health
    public var status: String?
    public var protocolVersion: Int?
    public var cardCount: Int?
    public var uptimeSeconds: Double?
    public var builtAt: String?

    public init(id: RequestID?, ok: Bool, op: String?) {
        self.id = id
        self.ok = ok
        self.op = op
    }

    /// A failure response.
    public static func failure(id: RequestID?, op: String?, _ error: ProtocolError) -> Response {
        var response = Response(id: id, ok: false, op: op)
        response.error = error
        return response
    }

    enum CodingKeys: String, CodingKey {
        case v, id, ok, op, error, results, total, card, status
        case indexVersion = "index_version"
        case didYouMean = "did_you_mean"
        case protocolVersion = "protocol_version"
        case cardCount = "card_count"
        case uptimeSeconds = "uptime_seconds"
        case builtAt = "built_at"
    }

    /// The response as one line of JSON, without the newline.
    public func encoded() throws -> Data {
        try Response.encoder.encode(self)
    }

    public static func decode(_ line: some Collection<UInt8>) throws -> Response {
        try JSONDecoder().decode(Response.self, from: Data(line))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// One ranked card in a search or map response.
public struct SearchResult: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var famille: String
    public var sousFamille: String?
    public var rome: [String]
    /// BM25 weight from Xapian: orders results within one response; not comparable across queries.
    public var score: Double
    /// The query terms that matched, and the fields they matched in.
    public var matched: [MatchedField]

    public init(id: String, name: String, famille: String, sousFamille: String?, rome: [String], score: Double, matched: [MatchedField]) {
        self.id = id
        self.name = name
        self.famille = famille
        self.sousFamille = sousFamille
        self.rome = rome
        self.score = score
        self.matched = matched
    }

    enum CodingKeys: String, CodingKey {
        case id, name, famille, rome, score, matched
        case sousFamille = "sous_famille"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(famille, forKey: .famille)
        try c.encode(sousFamille, forKey: .sousFamille)
        try c.encode(rome, forKey: .rome)
        try c.encode(score, forKey: .score)
        try c.encode(matched, forKey: .matched)
    }
}

/// A query term (stemmed) and the card field it matched in.
public struct MatchedField: Codable, Equatable, Sendable {
    public var term: String
    public var field: String

    public init(term: String, field: String) {
        self.term = term
        self.field = field
    }
}
