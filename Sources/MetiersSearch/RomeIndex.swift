#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersModel
import MetiersSchema
import MetiersText
import MetiersXapian

/// A ROME appellation that matched a query.
public struct RomeMatch: Sendable, Equatable {
    public var appellation: RomeAppellation
    /// The card it is attributed to, if any.
    public var card: String?
    /// How much of the query's title the appellation explains, in [0, 1]: its best title-key
    /// share, or 0.8 × the share of the query's words it contains.
    public var quality: Double
    /// The query's stems the appellation contains.
    public var stems: Set<String>
}

/// What `rome` answers about one code.
public struct RomeCodeLookup: Sendable, Equatable {
    public var metier: RomeMetier
    /// For an older-generation code: the fine métiers that name it as their parent.
    public var fineCodes: [RomeMetier]
    /// Appellations whose fine or parent code is the code, with their card.
    public var appellations: [RomeDocument]
}

/// The ROME database that `metiers-index` writes beside the cards (`<build>/rome`): every ROME
/// appellation, for the finer code of each answer and the nearest métier outside the
/// referentiel. Not thread-safe, like `SearchIndex` which owns it.
final class RomeIndex {
    let database: Database
    /// Words of every ROME title key.
    let titleWords: Set<String>
    /// The older-generation codes the cards carry.
    let cardCodes: [String]
    let metiers: [String: RomeMetier]
    private let metierList: [RomeMetier]
    /// Boolean query: the appellations under the cards' codes (nil when the cards carry none).
    let inScope: Query?
    /// Per stem, the ROME titles under the cards' codes that contain it.
    private var inScopeCount: [String: Int] = [:]
    private var documents = BoundedCache<UInt32, RomeDocument>(capacity: 20_000)
    private var termCache = BoundedCache<UInt32, TitleTerms>(capacity: 20_000)
    private var frequencyCache = BoundedCache<String, Int>(capacity: 20_000)

    /// A ROME title's terms, split by prefix once: its title keys and its title stems.
    struct TitleTerms {
        var titleKeys: [String] = []
        var stems: [String] = []
    }
    private let decoder = JSONDecoder()

    /// How many appellations each match looks at before choosing.
    static let candidates = 12

    init(path: String) throws {
        database = try Database(path: path)
        let schema = try database.metadata(MetadataKey.schema)
        guard schema == indexSchemaVersion else {
            throw SearchError.indexUnavailable("ROME database at \(path) has schema '\(schema)': rebuild the index")
        }
        titleWords = Set(try database.metadata(MetadataKey.titleWords).split(separator: " ").map(String.init))
        cardCodes = try database.metadata(MetadataKey.cardRomeCodes).split(separator: " ").map(String.init)
        metierList = try decoder.decode([RomeMetier].self, from: Data(try database.metadata(MetadataKey.romeMetiers).utf8))
        metiers = Dictionary(metierList.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        inScope = try Self.parents(cardCodes)
        // Which words belong to the cards' side of ROME: counted over the titles under their codes.
        if let scope = inScope {
            let mset = try database.search(scope, limit: 5_000)
            for i in 0..<mset.count {
                for stem in try terms(of: try mset.match(at: i).docid).stems { inScopeCount[stem, default: 0] += 1 }
            }
        }
    }

    /// Every ROME appellation with its fine code and card, as `metiers-index` stores them for
    /// the suggester. An index written before they were stored must be rebuilt.
    func storedTitles() throws -> [StoredTitle] {
        let text = try database.metadata(MetadataKey.romeTitles)
        guard !text.isEmpty else {
            throw SearchError.indexUnavailable("the ROME database carries no titles for `suggest`: rebuild the index with `metiers-index`")
        }
        return try StoredTitles.decode(text)
    }

    /// Boolean query: the appellations whose parent code is one of `codes`.
    static func parents(_ codes: [String]) throws(XapianError) -> Query? {
        guard !codes.isEmpty else { return nil }
        let terms = try codes.map { code throws(XapianError) in try Query(term: TermPrefix.romeParent.rawValue + code) }
        return terms.count == 1 ? terms[0] : try Query(.or, terms)
    }

    /// Share of the ROME titles containing `stem` that sit under the cards' codes (1 for a
    /// word ROME does not know: no evidence that it belongs elsewhere).
    func inScopeShare(of stem: String) throws(XapianError) -> Double {
        let total = try frequencyCache.value(for: stem) { () throws(XapianError) in try database.termFrequency(TermPrefix.title.rawValue + stem) }
        guard total > 0 else { return 1 }
        return Double(inScopeCount[stem] ?? 0) / Double(total)
    }

    /// The appellation that best matches a query's title keys (key → share) and stems, among
    /// those `filter` lets through (all when nil), leaving out those `excluded` matches.
    func best(titleShares: [String: Double], stems: Set<String>, filter: Query?, excluded: Query? = nil) throws -> RomeMatch? {
        guard !stems.isEmpty || !titleShares.isEmpty else { return nil }
        var query = try matchQuery(titleShares: titleShares, stems: stems)
        if let excluded { query = try Query(.andNot, [query, excluded]) }
        if let filter { query = try Query(.filter, [query, filter]) }
        let mset = try database.search(query, limit: Self.candidates)
        var best: RomeMatch?
        for i in 0..<mset.count {
            let docid = try mset.match(at: i).docid
            let (quality, found) = try quality(of: docid, titleShares: titleShares, stems: stems)
            guard quality > 0 else { continue }
            // Xapian's order (shorter, rarer titles first) breaks ties.
            if best == nil || quality > best!.quality + 1e-9 {
                let document = try document(docid)
                best = RomeMatch(appellation: document.appellation, card: document.card, quality: (quality * 1000).rounded() / 1000, stems: found)
            }
        }
        return best
    }

    /// For each card (id and codes), the appellation under its codes that best matches the
    /// query, one attributed to the card winning a tie. One search for all the cards of an
    /// answer.
    func bestPerCard(titleShares: [String: Double], stems: Set<String>, cards: [(id: String, codes: [String])]) throws -> [String: RomeAppellation] {
        let codes = Array(Set(cards.flatMap(\.codes))).sorted()
        guard !codes.isEmpty, !stems.isEmpty || !titleShares.isEmpty, let filter = try Self.parents(codes) else { return [:] }
        let query = try Query(.filter, [try matchQuery(titleShares: titleShares, stems: stems), filter])
        let mset = try database.search(query, limit: Self.perCardCandidates)
        // Per card: the best attributed match and the best match under its codes.
        var attributed: [String: (Double, RomeAppellation)] = [:]
        var underCodes: [String: (Double, RomeAppellation)] = [:]
        for i in 0..<mset.count {
            let docid = try mset.match(at: i).docid
            let quality = try quality(of: docid, titleShares: titleShares, stems: stems).quality
            guard quality > 0 else { continue }
            let document = try document(docid)
            for card in cards where card.codes.contains(document.appellation.codeRomeParent) {
                // Xapian's order (shorter, rarer titles first) breaks ties.
                if document.card == card.id, quality > (attributed[card.id]?.0 ?? 0) + 1e-9 { attributed[card.id] = (quality, document.appellation) }
                if quality > (underCodes[card.id]?.0 ?? 0) + 1e-9 { underCodes[card.id] = (quality, document.appellation) }
            }
        }
        var result: [String: RomeAppellation] = [:]
        for card in cards {
            // The best match under the card's codes; on a tie, one of the card's own titles.
            if let own = attributed[card.id], own.0 + 1e-9 >= (underCodes[card.id]?.0 ?? 0) {
                result[card.id] = own.1
            } else {
                result[card.id] = underCodes[card.id]?.1
            }
        }
        return result
    }

    /// Candidates `bestPerCard` looks at (the titles under the cards' codes are 498).
    static let perCardCandidates = 200

    /// The ROME titles that share a title key or a word with the query: keys weighted by the
    /// square of the share of the query they cover, as for the cards.
    private func matchQuery(titleShares: [String: Double], stems: Set<String>) throws(XapianError) -> Query {
        var parts: [Query] = []
        for (key, share) in titleShares.sorted(by: { $0.key < $1.key }) {
            parts.append(try Query(term: TermPrefix.titleKey.rawValue + key).scaled(by: 10 * share * share))
        }
        for stem in stems.sorted() { parts.append(try Query(term: TermPrefix.title.rawValue + stem)) }
        return try Query(.or, parts)
    }

    /// How much of the query a ROME title explains, and the query's stems it contains.
    private func quality(of docid: UInt32, titleShares: [String: Double], stems: Set<String>) throws -> (quality: Double, stems: Set<String>) {
        let terms = try terms(of: docid)
        var share = 0.0
        for key in terms.titleKeys { share = max(share, titleShares[key] ?? 0) }
        var found = Set<String>()
        for stem in terms.stems where stems.contains(stem) { found.insert(stem) }
        return (max(share, stems.isEmpty ? 0 : 0.8 * Double(found.count) / Double(stems.count)), found)
    }

    /// The code's métier, its fine codes and its appellations; nil for a code ROME does not have.
    func lookup(code: String) throws -> RomeCodeLookup? {
        guard let metier = metiers[code] else { return nil }
        let fine = metierList.filter { $0.parent == code && $0.code != code }
        let query = try Query(.or, [try Query(term: TermPrefix.rome.rawValue + code), try Query(term: TermPrefix.romeParent.rawValue + code)])
        let mset = try database.search(query, limit: 20_000)
        var result: [RomeDocument] = []
        for i in 0..<mset.count { result.append(try document(try mset.match(at: i).docid)) }
        result.sort { (Int($0.appellation.codeOgr) ?? 0) < (Int($1.appellation.codeOgr) ?? 0) }
        return RomeCodeLookup(metier: metier, fineCodes: fine, appellations: result)
    }

    /// The older-generation codes of the appellations of a fine code.
    func parentCodes(of code: String) throws -> [String] {
        let mset = try database.search(try Query(term: TermPrefix.rome.rawValue + code), limit: 5_000)
        var parents = Set<String>()
        for i in 0..<mset.count { parents.insert(try document(try mset.match(at: i).docid).appellation.codeRomeParent) }
        if let parent = metiers[code]?.parent { parents.insert(parent) }
        return parents.sorted()
    }

    private func document(_ docid: UInt32) throws -> RomeDocument {
        try documents.value(for: docid) { try decoder.decode(RomeDocument.self, from: Data(try database.documentData(docid).utf8)) }
    }

    private func terms(of docid: UInt32) throws -> TitleTerms {
        try termCache.value(for: docid) {
            var terms = TitleTerms()
            for term in try database.terms(of: docid) {
                guard let (prefix, value) = TermPrefix.split(term) else { continue }
                if prefix == .titleKey { terms.titleKeys.append(value) } else if prefix == .title { terms.stems.append(value) }
            }
            return terms
        }
    }
}
