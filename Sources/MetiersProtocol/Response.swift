#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersModel

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

    /// With match "none": the nearest ROME métier outside the referentiel, when a ROME title
    /// matches the query (where the posting belongs instead).
    public var nearestRome: NearestRome?

    /// Counts per famille and ROME code over the matching cards (search/map with `facets`).
    public var facets: Facets?

    // classify
    /// One item per posting, in request order.
    public var items: [ClassifiedItem]?

    // show
    public var card: Card?

    // cards
    public var cards: [CardEntry]?

    // stats
    public var stats: Stats?

    // rome
    public var rome: RomeCode?

    // reload
    /// The index version before the reload (the new one is `index_version`).
    public var previousIndexVersion: String?
    /// Whether the reload switched to another index version.
    public var changed: Bool?

    // health
    public var status: String?
    public var protocolVersion: Int?
    public var cardCount: Int?
    public var uptimeSeconds: Double?
    public var builtAt: String?
    /// Why the last reload failed, when it did (the previous index is still served).
    public var lastReloadError: String?

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
        case v, id, ok, op, error, results, total, card, status, match, facets, items, cards, stats, changed, rome
        case nearestRome = "nearest_rome"
        case indexVersion = "index_version"
        case didYouMean = "did_you_mean"
        case protocolVersion = "protocol_version"
        case cardCount = "card_count"
        case uptimeSeconds = "uptime_seconds"
        case builtAt = "built_at"
        case lastReloadError = "last_reload_error"
        case previousIndexVersion = "previous_index_version"
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

    public static let encoder: JSONEncoder = {
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
    /// For `similar`: the terms the card shares with the one asked about.
    public var sharedTerms: [String]?
    /// The ROME appellation under the card's codes that best matches the query (its fine
    /// code is finer than the card's); null when none matches or the index has no ROME data.
    public var romeAppellation: RomeAppellationRef?

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
        try c.encodeIfPresent(sharedTerms, forKey: .sharedTerms)
        try c.encode(romeAppellation, forKey: .romeAppellation)
    }
}

/// A ROME appellation as results carry it.
public struct RomeAppellationRef: Codable, Equatable, Sendable {
    /// The appellation's ROME id.
    public var codeOgr: String
    public var label: String
    /// The fine métier code (`M1855`).
    public var codeRome: String
    /// The older-generation code (`M1805`), one of the card's.
    public var codeRomeParent: String

    public init(codeOgr: String, label: String, codeRome: String, codeRomeParent: String) {
        self.codeOgr = codeOgr
        self.label = label
        self.codeRome = codeRome
        self.codeRomeParent = codeRomeParent
    }

    enum CodingKeys: String, CodingKey {
        case label
        case codeOgr = "code_ogr"
        case codeRome = "code_rome"
        case codeRomeParent = "code_rome_parent"
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
    public var appellation: RomeAppellationRef

    public init(codeRome: String, label: String, codeRomeParent: String, appellation: RomeAppellationRef) {
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

    /// An appellation of the code, with the card it extends when there is one.
    public struct Appellation: Codable, Equatable, Sendable {
        public var codeOgr: String
        public var label: String
        public var codeRome: String
        public var codeRomeParent: String
        /// The card this title extends (`Index/rome/attribution.tsv`); null when none.
        public var card: String?

        public init(codeOgr: String, label: String, codeRome: String, codeRomeParent: String, card: String?) {
            self.codeOgr = codeOgr
            self.label = label
            self.codeRome = codeRome
            self.codeRomeParent = codeRomeParent
            self.card = card
        }

        enum CodingKeys: String, CodingKey {
            case label, card
            case codeOgr = "code_ogr"
            case codeRome = "code_rome"
            case codeRomeParent = "code_rome_parent"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(codeOgr, forKey: .codeOgr)
            try c.encode(label, forKey: .label)
            try c.encode(codeRome, forKey: .codeRome)
            try c.encode(codeRomeParent, forKey: .codeRomeParent)
            try c.encode(card, forKey: .card)
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
    /// Appellations whose fine code or parent code is `code`, in ROME id order.
    public var appellations: [Appellation]
    public var cards: [CardRef]

    public init(code: String, label: String, parent: String, fineCodes: [Metier], appellations: [Appellation], cards: [CardRef]) {
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

/// Counts over the cards matching a query, before paging.
public struct Facets: Codable, Equatable, Sendable {
    public var famille: [String: Int]
    public var sousFamille: [String: Int]
    public var rome: [String: Int]

    public init(famille: [String: Int], sousFamille: [String: Int], rome: [String: Int]) {
        self.famille = famille
        self.sousFamille = sousFamille
        self.rome = rome
    }

    enum CodingKeys: String, CodingKey {
        case famille, rome
        case sousFamille = "sous_famille"
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

/// A card's summary, as the `cards` operation lists it.
public struct CardEntry: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var famille: String
    public var sousFamille: String?
    public var rome: [String]
    public var appellations: [String]
    /// Passerelles: card ids people come from and go to.
    public var origines: [String]
    public var evolutions: [String]

    public init(id: String, name: String, famille: String, sousFamille: String?, rome: [String], appellations: [String], origines: [String], evolutions: [String]) {
        self.id = id
        self.name = name
        self.famille = famille
        self.sousFamille = sousFamille
        self.rome = rome
        self.appellations = appellations
        self.origines = origines
        self.evolutions = evolutions
    }

    enum CodingKeys: String, CodingKey {
        case id, name, famille, rome, appellations, origines, evolutions
        case sousFamille = "sous_famille"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(famille, forKey: .famille)
        try c.encode(sousFamille, forKey: .sousFamille)
        try c.encode(rome, forKey: .rome)
        try c.encode(appellations, forKey: .appellations)
        try c.encode(origines, forKey: .origines)
        try c.encode(evolutions, forKey: .evolutions)
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
