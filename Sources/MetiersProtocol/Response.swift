#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersModel

/// The protocol's JSON: one encoder for requests, responses and the lines tools write. Keys are
/// sorted, slashes are not escaped, and model types write their wire form
/// (`CodingUserInfoKey.metiersWire`).
public enum WireJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.userInfo[.metiersWire] = true
        return encoder
    }()

    /// One JSON line, without the newline.
    public static func line(_ value: some Encodable) throws -> Data {
        try encoder.encode(value)
    }
}

/// A response: one JSON object on one line, in the order requests came. The envelope (`v`,
/// `id`, `ok`, `op`, `index_version`, `error`) and the operation's body share the object: the
/// body's fields stand beside the envelope's.
public struct Response: Codable, Equatable, Sendable {
    /// Protocol version.
    public var v: Int = metiersProtocolVersion
    /// The request's `id`, when it had one.
    public var id: RequestID?
    /// True on success; false with `error` on failure.
    public var ok: Bool
    /// The operation answered (absent when the request could not be read).
    public var op: String?
    /// Version of the index that answered (every operation but `stats`; with `reload`, the
    /// version after it).
    public var indexVersion: String?
    public var error: ProtocolError?
    /// The answer; `.none` on failure.
    public var body: ResponseBody

    /// The success answering `request`: its `id` and `op` echoed, with `body`, the case of
    /// `request`'s operation.
    public init(answering request: Request, indexVersion: String? = nil, _ body: ResponseBody) {
        self.init(id: request.id, ok: true, op: request.operation.name, indexVersion: indexVersion, body: body)
    }

    private init(id: RequestID?, ok: Bool, op: String?, indexVersion: String?, error: ProtocolError? = nil, body: ResponseBody) {
        self.id = id
        self.ok = ok
        self.op = op
        self.indexVersion = indexVersion
        self.error = error
        self.body = body
    }

    /// A failure response.
    public static func failure(id: RequestID?, op: String?, _ error: ProtocolError) -> Response {
        Response(id: id, ok: false, op: op, indexVersion: nil, error: error, body: .none)
    }

    enum CodingKeys: String, CodingKey {
        case v, id, ok, op, error
        case indexVersion = "index_version"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        v = try c.decode(Int.self, forKey: .v)
        id = try c.decodeIfPresent(RequestID.self, forKey: .id)
        ok = try c.decode(Bool.self, forKey: .ok)
        op = try c.decodeIfPresent(String.self, forKey: .op)
        indexVersion = try c.decodeIfPresent(String.self, forKey: .indexVersion)
        error = try c.decodeIfPresent(ProtocolError.self, forKey: .error)
        body = ok ? try ResponseBody(op: op, from: decoder) : .none
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(v, forKey: .v)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(ok, forKey: .ok)
        try c.encodeIfPresent(op, forKey: .op)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encodeIfPresent(indexVersion, forKey: .indexVersion)
        try body.encode(to: encoder)
    }

    /// The response as one line of JSON, without the newline.
    public func encoded() throws -> Data {
        try WireJSON.line(self)
    }

    public static func decode(_ line: some Collection<UInt8>) throws -> Response {
        try JSONDecoder().decode(Response.self, from: Data(line))
    }
}

/// What a successful response answers, one case per operation; its fields are written beside
/// the envelope's, and read back by `op`.
public enum ResponseBody: Equatable, Sendable {
    /// A failure: the envelope's `error` says why.
    case none
    case search(SearchBody)
    case map(SearchBody)
    case classify(ClassifyBody)
    case show(ShowBody)
    case similar(SimilarBody)
    case cards(CardsBody)
    case health(HealthBody)
    case stats(StatsBody)
    case reload(ReloadBody)
    case rome(RomeBody)
    case suggest(SuggestBody)
    case mobility(MobilityBody)

    /// Reads the body of a successful response to `op`.
    init(op: String?, from decoder: any Decoder) throws {
        guard let kind = op.flatMap(OperationName.init(rawValue:)) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: "a successful response to an unknown op '\(op ?? "")'"))
        }
        self = switch kind {
        case .search: .search(try SearchBody(from: decoder))
        case .map: .map(try SearchBody(from: decoder))
        case .classify: .classify(try ClassifyBody(from: decoder))
        case .show: .show(try ShowBody(from: decoder))
        case .similar: .similar(try SimilarBody(from: decoder))
        case .cards: .cards(try CardsBody(from: decoder))
        case .health: .health(try HealthBody(from: decoder))
        case .stats: .stats(try StatsBody(from: decoder))
        case .reload: .reload(try ReloadBody(from: decoder))
        case .rome: .rome(try RomeBody(from: decoder))
        case .suggest: .suggest(try SuggestBody(from: decoder))
        case .mobility: .mobility(try MobilityBody(from: decoder))
        }
    }

    /// Writes the body's fields into the response object.
    func encode(to encoder: any Encoder) throws {
        switch self {
        case .none: break
        case .search(let body), .map(let body): try body.encode(to: encoder)
        case .classify(let body): try body.encode(to: encoder)
        case .show(let body): try body.encode(to: encoder)
        case .similar(let body): try body.encode(to: encoder)
        case .cards(let body): try body.encode(to: encoder)
        case .health(let body): try body.encode(to: encoder)
        case .stats(let body): try body.encode(to: encoder)
        case .reload(let body): try body.encode(to: encoder)
        case .rome(let body): try body.encode(to: encoder)
        case .suggest(let body): try body.encode(to: encoder)
        case .mobility(let body): try body.encode(to: encoder)
        }
    }
}

/// `search` and `map`.
public struct SearchBody: Codable, Equatable, Sendable {
    /// Ranked cards, best first.
    public var results: [SearchResult]
    /// Estimated number of matching cards in all (for paging).
    public var total: Int
    /// How the first result matched: "title" (an appellation), "text", or "none" (no result
    /// is confident enough: the query is most likely outside the referentiel).
    public var match: String
    /// The corrected query when unknown words were replaced by a spelling suggestion.
    public var didYouMean: String?
    /// With match "none": the nearest ROME métier outside the referentiel, when a ROME title
    /// matches the query (where the posting belongs instead).
    public var nearestRome: NearestRome?
    /// Counts per famille and ROME code over the matching cards (with `facets`).
    public var facets: Facets?

    public init(results: [SearchResult], total: Int, match: String, didYouMean: String?, nearestRome: NearestRome?, facets: Facets?) {
        self.results = results
        self.total = total
        self.match = match
        self.didYouMean = didYouMean
        self.nearestRome = nearestRome
        self.facets = facets
    }

    enum CodingKeys: String, CodingKey {
        case results, total, match, facets
        case didYouMean = "did_you_mean"
        case nearestRome = "nearest_rome"
    }
}

/// `classify`: one item per posting, in request order.
public struct ClassifyBody: Codable, Equatable, Sendable {
    public var items: [ClassifiedItem]
    public init(items: [ClassifiedItem]) { self.items = items }
}

/// `show`: the card with every field.
public struct ShowBody: Codable, Equatable, Sendable {
    public var card: Card
    public init(card: Card) { self.card = card }
}

/// `similar`: the closest cards, each with the terms it shares (`shared_terms`).
public struct SimilarBody: Codable, Equatable, Sendable {
    public var results: [SearchResult]
    public init(results: [SearchResult]) { self.results = results }
}

/// `mobility`: the card, the cards around it along the passerelles (nearest first, each with
/// its direction and distance), and the passerelles between them.
public struct MobilityBody: Codable, Equatable, Sendable {
    /// The card asked about.
    public var card: String
    /// Moves followed each way.
    public var steps: Int
    /// The card (`center`, distance 0), then the cards within `steps` moves, nearest first;
    /// each `origin` (people come from it to the card), `evolution` (people go to it), or `both`.
    public var nodes: [Neighbourhood.Node]
    /// Passerelles between the nodes: people move from `source` to `target`.
    public var edges: [Neighbourhood.Edge]

    public init(card: String, steps: Int, nodes: [Neighbourhood.Node], edges: [Neighbourhood.Edge]) {
        self.card = card
        self.steps = steps
        self.nodes = nodes
        self.edges = edges
    }
}

/// `cards`: every card's summary.
public struct CardsBody: Codable, Equatable, Sendable {
    public var cards: [Card.Summary]
    public init(cards: [Card.Summary]) { self.cards = cards }
}

/// `health`.
public struct HealthBody: Codable, Equatable, Sendable {
    /// "serving".
    public var status: String
    public var protocolVersion: Int
    public var cardCount: Int
    public var uptimeSeconds: Double
    public var builtAt: String
    /// Why the last reload failed, when it did (the previous index is still served).
    public var lastReloadError: String?

    public init(status: String, protocolVersion: Int, cardCount: Int, uptimeSeconds: Double, builtAt: String, lastReloadError: String?) {
        self.status = status
        self.protocolVersion = protocolVersion
        self.cardCount = cardCount
        self.uptimeSeconds = uptimeSeconds
        self.builtAt = builtAt
        self.lastReloadError = lastReloadError
    }

    enum CodingKeys: String, CodingKey {
        case status
        case protocolVersion = "protocol_version"
        case cardCount = "card_count"
        case uptimeSeconds = "uptime_seconds"
        case builtAt = "built_at"
        case lastReloadError = "last_reload_error"
    }
}

/// `stats`.
public struct StatsBody: Codable, Equatable, Sendable {
    public var stats: Stats
    public init(stats: Stats) { self.stats = stats }
}

/// `reload`: the version before (the envelope's `index_version` is the one after).
public struct ReloadBody: Codable, Equatable, Sendable {
    public var previousIndexVersion: String
    /// Whether the reload switched to another index version.
    public var changed: Bool

    public init(previousIndexVersion: String, changed: Bool) {
        self.previousIndexVersion = previousIndexVersion
        self.changed = changed
    }

    enum CodingKeys: String, CodingKey {
        case changed
        case previousIndexVersion = "previous_index_version"
    }
}

/// `rome`.
public struct RomeBody: Codable, Equatable, Sendable {
    public var rome: RomeCode
    public init(rome: RomeCode) { self.rome = rome }
}

/// `suggest`: the titles that best complete the query, best first.
public struct SuggestBody: Codable, Equatable, Sendable {
    public var suggestions: [TitleSuggestion]
    public init(suggestions: [TitleSuggestion]) { self.suggestions = suggestions }
}

/// One ranked card in a search or map response.
public struct SearchResult: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var famille: String
    @ExplicitNull public var sousFamille: String?
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
    /// For `similar`: the terms the card shares with the one asked about.
    public var sharedTerms: [String]?
    /// The ROME appellation under the card's codes that best matches the query (its fine
    /// code is finer than the card's); null when none matches or the index has no ROME data.
    @ExplicitNull public var romeAppellation: RomeAppellation? = nil

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
        case sharedTerms = "shared_terms"
        case romeAppellation = "rome_appellation"
    }
}

/// The ROME métier outside the referentiel that a "none" query matches best.
public struct NearestRome: Codable, Equatable, Sendable {
    /// The fine métier code (`D1102`).
    public var codeRome: String
    /// The métier's label (`Boulanger / Boulangère`).
    public var label: String
    /// Its older-generation code.
    public var codeRomeParent: String
    /// The appellation that matched the query.
    public var appellation: RomeAppellation

    public init(codeRome: String, label: String, codeRomeParent: String, appellation: RomeAppellation) {
        self.codeRome = codeRome
        self.label = label
        self.codeRomeParent = codeRomeParent
        self.appellation = appellation
    }

    enum CodingKeys: String, CodingKey {
        case label, appellation
        case codeRome = "code_rome"
        case codeRomeParent = "code_rome_parent"
    }
}

/// The answer of a `rome` request.
public struct RomeCode: Codable, Equatable, Sendable {
    /// A métier under a code (a fine code and its label).
    public struct Metier: Codable, Equatable, Sendable {
        public var code: String
        public var label: String
        public init(code: String, label: String) {
            self.code = code
            self.label = label
        }
    }

    /// A card that carries the code (its own code, or an attributed appellation's fine code).
    public struct CardRef: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public var code: String
    public var label: String
    /// The older-generation code (equal to `code` for an older-generation code).
    public var parent: String
    /// For an older-generation code: the fine métiers whose appellations it groups.
    public var fineCodes: [Metier]
    /// Appellations whose fine code or parent code is `code`, in ROME id order, each with the
    /// card it extends (`Index/rome/attribution.tsv`; null when none).
    public var appellations: [RomeDocument]
    public var cards: [CardRef]

    public init(code: String, label: String, parent: String, fineCodes: [Metier], appellations: [RomeDocument], cards: [CardRef]) {
        self.code = code
        self.label = label
        self.parent = parent
        self.fineCodes = fineCodes
        self.appellations = appellations
        self.cards = cards
    }

    enum CodingKeys: String, CodingKey {
        case code, label, parent, appellations, cards
        case fineCodes = "fine_codes"
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

/// The answer for one posting of a classify request.
public struct ClassifiedItem: Codable, Equatable, Sendable {
    /// The caller's id for the posting, echoed.
    public var id: JSONValue?
    public var ok: Bool
    /// The best emploi-types, best first (empty with match "none").
    public var results: [SearchResult]?
    /// "title", "text" or "none".
    public var match: String?
    /// Why this posting could not be classified (the others are answered).
    public var error: ProtocolError?
    /// With match "none": the nearest ROME métier outside the referentiel, when one matches.
    public var nearestRome: NearestRome?

    public init(id: JSONValue?, ok: Bool, results: [SearchResult]? = nil, match: String? = nil, error: ProtocolError? = nil, nearestRome: NearestRome? = nil) {
        self.id = id
        self.ok = ok
        self.results = results
        self.match = match
        self.error = error
        self.nearestRome = nearestRome
    }

    enum CodingKeys: String, CodingKey {
        case id, ok, results, match, error
        case nearestRome = "nearest_rome"
    }
}

/// Counters of a running daemon.
public struct Stats: Codable, Equatable, Sendable {
    public var uptimeSeconds: Double
    /// Requests answered, by op ("invalid" for lines that were not a request).
    public var requests: [String: Int]
    /// Error responses, by code.
    public var errors: [String: Int]
    /// Round-trip time inside the daemon (decode, answer, encode), in microseconds.
    public var latencyMicroseconds: Latency
    public var connections: Connections
    public var index: IndexStatus

    public init(uptimeSeconds: Double, requests: [String: Int], errors: [String: Int], latencyMicroseconds: Latency, connections: Connections, index: IndexStatus) {
        self.uptimeSeconds = uptimeSeconds
        self.requests = requests
        self.errors = errors
        self.latencyMicroseconds = latencyMicroseconds
        self.connections = connections
        self.index = index
    }

    public struct Latency: Codable, Equatable, Sendable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var max: Double
        public init(p50: Double, p90: Double, p99: Double, max: Double) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.max = max
        }
    }

    public struct Connections: Codable, Equatable, Sendable {
        public var open: Int
        public var accepted: Int
        /// Refused because the daemon was at its connection limit.
        public var refused: Int
        /// Closed by the daemon for idleness.
        public var idleClosed: Int
        public init(open: Int, accepted: Int, refused: Int, idleClosed: Int) {
            self.open = open
            self.accepted = accepted
            self.refused = refused
            self.idleClosed = idleClosed
        }
        enum CodingKeys: String, CodingKey {
            case open, accepted, refused
            case idleClosed = "idle_closed"
        }
    }

    public struct IndexStatus: Codable, Equatable, Sendable {
        public var version: String
        public var builtAt: String
        public var ageSeconds: Double?
        public var reloads: Int
        public var reloadFailures: Int
        public var lastReloadError: String?
        public init(version: String, builtAt: String, ageSeconds: Double?, reloads: Int, reloadFailures: Int, lastReloadError: String?) {
            self.version = version
            self.builtAt = builtAt
            self.ageSeconds = ageSeconds
            self.reloads = reloads
            self.reloadFailures = reloadFailures
            self.lastReloadError = lastReloadError
        }
        enum CodingKeys: String, CodingKey {
            case version, reloads
            case builtAt = "built_at"
            case ageSeconds = "age_seconds"
            case reloadFailures = "reload_failures"
            case lastReloadError = "last_reload_error"
        }
    }

    enum CodingKeys: String, CodingKey {
        case requests, errors, connections, index
        case uptimeSeconds = "uptime_seconds"
        case latencyMicroseconds = "latency_us"
    }
}
