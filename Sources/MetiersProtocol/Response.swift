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
    /// How the first result matched: "title" (an appellation), "text", or "none" (no result
    /// is confident enough: the query is most likely outside the referentiel).
    public var match: String?

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
        case v, id, ok, op, error, results, total, card, status, match
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

    /// A JSON object as one line (sorted keys), for tools that write JSON Lines.
    public static func encoderLine(_ object: [String: JSONValue]) -> String {
        (try? encoder.encode(JSONValue.object(object))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
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
    /// Confidence in [0, 1] that this card is right; the same scale for every query.
    public var confidence: Double
    /// The query terms that matched, and the fields they matched in.
    public var matched: [MatchedField]
    /// The appellation the query matched as a title, when it did.
    public var matchedTitle: String?
    /// The card's passage that best shows the match, with the matched words' offsets.
    public var snippet: ResultSnippet?
    /// The confidence model's inputs (only when the request asked with `"explain": true`).
    public var features: [String: Double]?

    public init(
        id: String, name: String, famille: String, sousFamille: String?, rome: [String], score: Double,
        confidence: Double, matched: [MatchedField], matchedTitle: String? = nil, snippet: ResultSnippet? = nil,
        features: [String: Double]? = nil
    ) {
        self.id = id
        self.name = name
        self.famille = famille
        self.sousFamille = sousFamille
        self.rome = rome
        self.score = score
        self.confidence = confidence
        self.matched = matched
        self.matchedTitle = matchedTitle
        self.snippet = snippet
        self.features = features
    }

    enum CodingKeys: String, CodingKey {
        case id, name, famille, rome, score, confidence, matched, snippet, features
        case sousFamille = "sous_famille"
        case matchedTitle = "matched_title"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(famille, forKey: .famille)
        try c.encode(sousFamille, forKey: .sousFamille)
        try c.encode(rome, forKey: .rome)
        try c.encode(score, forKey: .score)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(matched, forKey: .matched)
        try c.encodeIfPresent(matchedTitle, forKey: .matchedTitle)
        try c.encodeIfPresent(snippet, forKey: .snippet)
        try c.encodeIfPresent(features, forKey: .features)
    }
}

/// A passage of a card with the matched words marked.
public struct ResultSnippet: Codable, Equatable, Sendable {
    /// The field the passage comes from (`title`, `activites`, `description`…).
    public var field: String
    public var text: String
    /// `[start, end)` offsets of matched words in `text`, in Unicode code points.
    public var highlights: [[Int]]

    public init(field: String, text: String, highlights: [[Int]]) {
        self.field = field
        self.text = text
        self.highlights = highlights
    }

    /// The text with matched words between `open` and `close`.
    public func marked(open: String = "[", close: String = "]") -> String {
        var scalars = Array(text.unicodeScalars)
        for range in highlights.sorted(by: { $0.first ?? 0 > $1.first ?? 0 }) where range.count == 2 {
            let start = max(0, min(range[0], scalars.count)), end = max(start, min(range[1], scalars.count))
            scalars.insert(contentsOf: close.unicodeScalars, at: end)
            scalars.insert(contentsOf: open.unicodeScalars, at: start)
        }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        return String(s)
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
