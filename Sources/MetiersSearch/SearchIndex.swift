#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MetiersCorpus
import MetiersIndex
import MetiersText
import MetiersXapian
#if canImport(Glibc)
import Glibc
#endif

/// What to search for.
public struct SearchRequest: Sendable, Equatable {
    /// How the text is read.
    public enum Mode: String, Sendable, Equatable {
        /// Free text: a title, keywords or a pasted posting.
        case search
        /// A job title: appellations weigh most.
        case title
    }

    public var text: String
    public var mode: Mode
    public var limit: Int
    public var offset: Int
    /// Only cards of these familles / sous-familles / ROME codes (empty: no filter).
    public var familles: [String]
    public var sousFamilles: [String]
    public var romeCodes: [String]
    /// Count the matching cards per famille, sous-famille and ROME code.
    public var facets: Bool
    /// Attach a highlighted snippet to each result (batch classification skips them).
    public var snippets: Bool = true

    public init(
        text: String, mode: Mode = .search, limit: Int = 10, offset: Int = 0,
        familles: [String] = [], sousFamilles: [String] = [], romeCodes: [String] = [], facets: Bool = false
    ) {
        self.text = text
        self.mode = mode
        self.limit = limit
        self.offset = offset
        self.familles = familles
        self.sousFamilles = sousFamilles
        self.romeCodes = romeCodes
        self.facets = facets
    }
}

/// Counts of matching cards.
public struct FacetCounts: Sendable, Equatable {
    public var famille: [String: Int] = [:]
    public var sousFamille: [String: Int] = [:]
    public var rome: [String: Int] = [:]
}

/// Which ranking features are on. All are on in service; switching one off measures its value
/// (the ablation table in the README).
public struct RankingOptions: Sendable, Equatable {
    /// Exact and near-exact matches of the query against appellations (title keys).
    public var titleMatch = true
    /// Query-time expansion through the vocabulary's synonyms.
    public var synonyms = true
    /// Job-posting noise words (H/F, CDI, salaire, cities…) left out.
    public var noiseFilter = true
    /// Unknown words replaced by Xapian's spelling suggestion.
    public var spelling = true
    /// Results below `minimumConfidence` dropped ("no match" when nothing is left).
    public var abstention = true
    /// ROME: the titles attributed to a card extend what it is found by, and a query that a
    /// ROME title outside the cards' codes explains clearly better than any card gets "none".
    public var rome = true
    /// The guards of ROME's "none": a ROME title outside the cards' codes must explain the
    /// query clearly better than the cards, through words that belong outside. Without them the
    /// crude rule applies: "none" whenever the best ROME title is outside the cards' codes.
    public var romeGuards = true
    /// The confidence under which a result is dropped.
    public var minimumConfidence = Confidence.defaultThreshold

    public init() {}

    /// The feature names accepted by `disabling(_:)`.
    public static let featureNames = ["title-match", "synonyms", "noise-filter", "spelling", "abstention", "rome", "rome-guards"]

    /// These options with one feature switched off; nil for an unknown name.
    public func disabling(_ name: String) -> RankingOptions? {
        var o = self
        switch name {
        case "title-match": o.titleMatch = false
        case "synonyms": o.synonyms = false
        case "noise-filter": o.noiseFilter = false
        case "spelling": o.spelling = false
        case "abstention": o.abstention = false
        case "rome": o.rome = false
        case "rome-guards": o.romeGuards = false
        default: return nil
        }
        return o
    }
}

/// Where one query word matched a card.
public struct MatchedTerm: Sendable, Equatable {
    /// The stem that matched (`developpeur`).
    public var term: String
    /// The field it matched in (`title`, `activites`, …).
    public var field: String
}

/// The passage of a card that best shows why it matched.
public struct Snippet: Sendable, Equatable {
    /// The field the passage comes from.
    public var field: String
    public var text: String
    /// Matched words, as `[start, end)` offsets in Unicode scalars of `text`.
    public var highlights: [[Int]]
}

/// One ranked card.
public struct SearchHit: Sendable, Equatable {
    public var card: CardSummary
    /// Xapian's BM25 weight (orders results within one answer; not comparable across queries).
    public var score: Double
    /// Probability-like confidence in [0, 1] that this card is right, comparable across queries.
    public var confidence: Double
    /// The query terms that matched, by field.
    public var matched: [MatchedTerm]
    /// The appellation the query matched as a title, when it did.
    public var matchedTitle: String?
    public var snippet: Snippet?
    /// The confidence model's inputs, by name.
    public var features: [String: Double]
    /// The ROME appellation under the card's codes that best matches the query.
    public var romeAppellation: RomeAppellation?
    /// The Xapian document, so that explaining the hit needs no second lookup.
    var docid: UInt32 = 0
}

/// The ROME métier outside the referentiel that a "none" query matches best.
public struct NearestRomeMatch: Sendable, Equatable {
    public var metier: RomeMetier
    public var appellation: RomeAppellation
    /// How much of the query's title the appellation explains (see `RomeMatch.quality`).
    public var quality: Double
}

/// The fields of a card that every result carries.
public struct CardSummary: Sendable, Equatable {
    public var id: String
    public var name: String
    public var famille: String
    public var sousFamille: String?
    public var rome: [String]

    init(_ card: Card) {
        id = card.id
        name = card.name
        famille = card.famille
        sousFamille = card.sousFamille
        rome = card.rome
    }
}

/// How the best answer matched.
public enum MatchKind: String, Sendable, Equatable {
    /// The query is (or contains) an appellation of the first card.
    case title
    /// The first card matched on its text.
    case text
    /// Nothing fits with enough confidence.
    case none
}

/// The answer to a search.
public struct SearchOutcome: Sendable, Equatable {
    public var hits: [SearchHit]
    /// Estimated number of matching cards in all, before abstention.
    public var total: Int
    public var match: MatchKind
    /// The corrected query, when unknown words were replaced by a spelling suggestion.
    public var didYouMean: String?
    /// Per famille, sous-famille and ROME code, the matching cards (when asked).
    public var facets: FacetCounts?
    /// With match "none": the nearest ROME métier outside the referentiel, when one matches.
    public var nearestRome: NearestRomeMatch?
}

/// An opened index and everything needed to query it.
///
/// Not thread-safe: it owns a Xapian database handle, a stemmer and caches. Use one per thread
/// (the daemon keeps one per event loop).
public final class SearchIndex {
    public let path: String
    public let indexVersion: String
    public let cardCount: Int
    public let builtAt: String
    public var options: RankingOptions
    /// The words that appear in some title key: only they can take part in a title match.
    let titleWords: Set<String>
    /// The words of the title keys of the ROME titles attributed to cards, and `titleWords`.
    let romeTitleWords: Set<String>
    let database: Database
    /// The ROME database of the same build; nil for an index built without ROME data.
    let rome: RomeIndex?
    let analyzer: FrenchAnalyzer
    let logger: Logger
    private var cards: [UInt32: Card] = [:]
    private var cardTexts: [UInt32: [(TermPrefix, String, [AnalysedTerm])]] = [:]
    private var synonymCache: [String: [String]] = [:]
    private var knownWords: [String: Bool] = [:]
    private var documentTerms: [UInt32: Set<String>] = [:]
    private let decoder = JSONDecoder()

    /// Field weights by mode: how much a match in each field counts.
    static let fieldWeights: [SearchRequest.Mode: [(TermPrefix, Double)]] = [
        .search: [(.title, 4.0), (.activites, 1.5), (.description, 1.5), (.savoirFaire, 1.0), (.connaissances, 0.8), (.other, 0.3), (.romeTitle, 0.0)],
        .title: [(.title, 8.0), (.activites, 1.0), (.description, 1.0), (.savoirFaire, 0.5), (.connaissances, 0.5), (.other, 0.2), (.romeTitle, 0.0)],
    ]
    /// Weight of a title-key match of an attributed ROME appellation, relative to one of the
    /// card's own appellations. It only counts for keys that explain more of the query than
    /// any card's own appellation does, so the cards' own titles always lead.
    static let romeTitleKeyShare = 1.0
    /// How much a ROME title-key match counts as a title match for confidence.
    static let romeTitleTrust = 0.8
    /// A ROME title outside the cards' codes makes the answer "none" when it explains at
    /// least this share of the query's title ...
    static let outsideQuality = 0.6
    /// ... this much more than the best card's title match does ...
    static let outsideLead = 0.2
    /// ... and every word that makes the difference is mostly found outside: under this share
    /// of the ROME titles that contain it sit under the cards' codes.
    static let outsideWordShare = 0.25
    /// A "none" answer names the nearest ROME métier when its title explains this much.
    static let nearestQuality = 0.5
    /// Weight of a posting's title words relative to its body's.
    static let headWeight = 2.5
    /// Weight of a vocabulary expansion relative to a word the user typed.
    static let expansionWeight = 0.8
    /// Weight of an exact title-key match by mode.
    static let titleKeyWeights: [SearchRequest.Mode: Double] = [.search: 10, .title: 14]
    /// Queries with more content words than this are not matched against titles as a whole.
    static let maximumTitleWords = 8
    /// BM25 with less length normalisation than Xapian's default (b 0.5): a card's length is
    /// the richness of its referentiel text, not verbosity. On the dev files b from 0.2 to 0.4
    /// gives the same figures; 0.5 and above lose one description in 36.
    static let bm25 = BM25Parameters(k1: 1.0, b: 0.3)
    /// Candidates ranked by Xapian before confidence is computed.
    static let candidates = 40

    /// Opens the index under `path`: a directory holding a `XAPIANDB` stub (as `metiers-index`
    /// writes it), or a Xapian database directory.
    public init(path: String, options: RankingOptions = RankingOptions(), logger: Logger) throws(SearchError) {
        self.path = path
        self.logger = logger
        self.options = options
        guard FileManager.default.fileExists(atPath: path) else {
            throw .indexUnavailable("no index at \(path): build one with `metiers-index --db \(path)`")
        }
        do {
            database = try Database(path: path)
            analyzer = try FrenchAnalyzer()
            let schema = try database.metadata(MetadataKey.schema)
            guard schema == indexSchemaVersion else {
                throw SearchError.indexUnavailable(
                    "index at \(path) has schema '\(schema)', this build reads schema '\(indexSchemaVersion)': rebuild it with `metiers-index --db \(path)`")
            }
            indexVersion = try database.metadata(MetadataKey.indexVersion)
            builtAt = try database.metadata(MetadataKey.builtAt)
            cardCount = try database.documentCount()
            titleWords = Set(try database.metadata(MetadataKey.titleWords).split(separator: " ").map(String.init))
            romeTitleWords = titleWords.union(try database.metadata(MetadataKey.romeTitleWords).split(separator: " ").map(String.init))
            let build = try database.metadata(MetadataKey.buildDirectory)
            // Under a stub root, the build's directory; opened directly, the database's own.
            let romePath = [path + "/" + build + "/rome", path + "/rome"].first { FileManager.default.fileExists(atPath: $0 + "/iamglass") }
            rome = try romePath.map { try RomeIndex(path: $0) }
            if rome == nil { logger.notice("index has no ROME data", metadata: ["path": "\(path)"]) }
        } catch let error as SearchError {
            throw error
        } catch {
            throw .indexUnavailable("cannot open the index at \(path): \(error)")
        }
    }

    /// The card with this id.
    public func card(id: String) throws(SearchError) -> Card {
        // A NUL would end the term at the C boundary and find another card.
        guard !id.unicodeScalars.contains("\u{0}") else { throw .notFound(id: id) }
        do {
            guard let docid = try database.findDocument(term: TermPrefix.id.rawValue + id) else { throw SearchError.notFound(id: id) }
            return try card(docid: docid)
        } catch let error as SearchError {
            throw error
        } catch let error as XapianError {
            throw .xapian(error)
        } catch {
            throw .indexUnavailable("\(error)")
        }
    }

    func card(docid: UInt32) throws -> Card {
        if let cached = cards[docid] { return cached }
        let data = try database.documentData(docid)
        let card = try decoder.decode(Card.self, from: Data(data.utf8))
        cards[docid] = card
        return card
    }

    /// The terms of a document (cached: the index under an open handle does not change).
    func terms(of docid: UInt32) throws -> Set<String> {
        if let cached = documentTerms[docid] { return cached }
        let terms = Set(try database.terms(of: docid))
        if documentTerms.count > 5_000 { documentTerms.removeAll(keepingCapacity: true) }
        documentTerms[docid] = terms
        return terms
    }

    /// Synonyms stored for `key` (cached: the table does not change under an open handle).
    func synonyms(of key: String) throws -> [String] {
        if let hit = synonymCache[key] { return hit }
        let found = try database.synonyms(of: key)
        if synonymCache.count > 20_000 { synonymCache.removeAll(keepingCapacity: true) }
        synonymCache[key] = found
        return found
    }

    /// Runs a search.
    public func search(_ request: SearchRequest) throws(SearchError) -> SearchOutcome {
        let parsed: QueryText
        do {
            parsed = try QueryText.parse(request.text)
        } catch {
            throw .querySyntax(error.description)
        }
        do {
            return try run(parsed, request: request)
        } catch let error as SearchError {
            throw error
        } catch let error as XapianError {
            throw .xapian(error)
        } catch {
            throw .indexUnavailable("\(error)")
        }
    }

    private func run(_ parsed: QueryText, request: SearchRequest) throws -> SearchOutcome {
        // Phrase words also rank and count for title matching and confidence; the phrases
        // themselves are then required.
        var tokens = parsed.allWords
        guard tokens.contains(where: { !FrenchWords.isStopword($0.word) }) else {
            throw SearchError.emptyQuery
        }

        // Spelling: a word that no field and no vocabulary entry knows is replaced by Xapian's
        // suggestion when there is one, and the query is planned again.
        let headEnd = Self.headEnd(of: request.text)
        var plan = try plan(tokens, headEnd: headEnd, options: options)
        var didYouMean: String?
        var correctedPositions = Set<UInt32>()
        // Postings carry enough words; spelling is for titles and short queries.
        if options.spelling && plan.words.count < Confidence.postingWords {
            let expanded = plan.expandedIndices
            var corrections: [UInt32: String] = [:]
            for (i, word) in plan.words.enumerated() where !expanded.contains(i) && !known(word.token.word) {
                // Short words are too easily "corrected" into another word: none under 5
                // letters, one edit under 8, two from 8.
                let length = word.token.word.unicodeScalars.count
                guard length >= 5 else { continue }
                if let suggestion = try database.spellingSuggestion(for: word.token.word, maxEditDistance: length >= 8 ? 2 : 1),
                    suggestion != word.token.word, !FrenchWords.isStopword(suggestion)
                {
                    corrections[word.token.position] = suggestion
                }
            }
            correctedPositions = Set(corrections.keys)
            if !corrections.isEmpty {
                for i in tokens.indices { if let fix = corrections[tokens[i].position] { tokens[i].word = fix } }
                didYouMean = tokens.map(\.word).joined(separator: " ")
                plan = try self.plan(tokens, headEnd: headEnd, options: options)
            }
        }

        let useRome = options.rome && rome != nil
        // The fields that explain a match (and count for coverage), and those that rank: the
        // ROME titles' words explain but carry no weight (their title keys rank instead).
        let explainedFields = Self.fieldWeights[request.mode]!.filter { useRome || $0.0 != .romeTitle }
        let weights = explainedFields.filter { $0.1 > 0 }
        var parts: [Query] = []
        // One sub-query per distinct stem, weighted by how often the query repeats it (as
        // repeated sub-queries would be, at a fraction of the cost).
        var stemWeights: [(String, Double)] = []
        var stemIndex: [String: Int] = [:]
        for word in plan.words {
            let weight = word.inHead ? Self.headWeight : 1
            if let i = stemIndex[word.stem] {
                stemWeights[i].1 += weight
            } else {
                stemIndex[word.stem] = stemWeights.count
                stemWeights.append((word.stem, weight))
            }
        }
        for (stem, weight) in stemWeights {
            parts.append(try fieldsQuery([stem], weights: weights, scale: weight))
        }
        for expansion in plan.expansions {
            for stems in expansion.stems where !stems.isEmpty {
                // An expansion of several words counts as much as one word of the query.
                parts.append(try fieldsQuery(stems, weights: weights, scale: Self.expansionWeight / Double(stems.count)))
            }
        }
        var titleShares: [String: Double] = [:]
        // The same for the ROME titles attributed to cards, whose words are more.
        var cardRomeShares: [String: Double] = [:]
        if options.titleMatch {
            for variant in plan.titleVariants(limit: 6) {
                for (key, share) in titleKeys(variant.words, known: titleWords) where share * variant.trust > (titleShares[key] ?? 0) {
                    titleShares[key] = share * variant.trust
                }
                if useRome {
                    for (key, share) in titleKeys(variant.words, known: romeTitleWords) where share * variant.trust > (cardRomeShares[key] ?? 0) {
                        cardRomeShares[key] = share * variant.trust
                    }
                }
            }
            // A posting's title must keep its say against the mass of its body's words.
            let bodyScale = plan.words.contains { $0.inHead } ? max(1, Double(plan.words.count) / 6) : 1
            let weight = Self.titleKeyWeights[request.mode]! * bodyScale
            // A ROME title counts only where it explains more of the query than every card's own
            // appellation does: the cards' own titles always lead.
            var ownShare = 0.0
            if useRome {
                for (key, share) in titleShares where share > ownShare {
                    if try database.termFrequency(TermPrefix.titleKey.rawValue + key) > 0 { ownShare = share }
                }
            }
            for (key, share) in titleShares.sorted(by: { $0.key < $1.key }) {
                parts.append(try Query(term: TermPrefix.titleKey.rawValue + key).scaled(by: weight * share * share))
            }
            for (key, share) in cardRomeShares.sorted(by: { $0.key < $1.key }) where share > ownShare {
                parts.append(try Query(term: TermPrefix.romeTitleKey.rawValue + key).scaled(by: Self.romeTitleKeyShare * weight * share * share))
            }
        }
        var phraseQueries: [Query] = []
        for phrase in parsed.phrases {
            let stems = phrase.filter { !FrenchWords.isStopword($0.word) }.map { analyzer.stem($0.word) }
            guard !stems.isEmpty else { continue }
            var perField: [Query] = []
            for (prefix, weight) in weights {
                let terms = try stems.map { stem throws(XapianError) in try Query(term: prefix.rawValue + stem) }
                // The window counts the function words between (they keep their positions).
                let phraseQuery = terms.count == 1 ? terms[0] : try Query(.phrase(window: UInt32(phrase.count)), terms)
                perField.append(try phraseQuery.scaled(by: weight))
            }
            phraseQueries.append(try Query(.or, perField))
        }
        var query: Query
        if phraseQueries.isEmpty {
            query = try Query(.or, parts)
        } else if parts.isEmpty {
            query = try Query(.and, phraseQueries)
        } else {
            // Phrases are requirements; words rank among the cards that have them.
            query = try Query(.andMaybe, [try Query(.and, phraseQueries), try Query(.or, parts)])
        }
        if !parsed.excluded.isEmpty {
            var excluded: [Query] = []
            for token in parsed.excluded where !FrenchWords.isStopword(token.word) {
                for prefix in TermPrefix.textFields {
                    excluded.append(try Query(term: prefix.rawValue + analyzer.stem(token.word)))
                }
            }
            if !excluded.isEmpty { query = try Query(.andNot, [query, try Query(.or, excluded)]) }
        }

        if let filter = try filterQuery(request) {
            query = try Query(.filter, [query, filter])
        }

        // Rank candidates, compute confidence, abstain below the threshold, then page.
        var wanted = max(Self.candidates, request.offset + request.limit)
        if request.facets { wanted = max(wanted, min(cardCount, 10_000)) }
        let mset = try searchRetrying(query, limit: wanted)
        let queryStems = Set(plan.words.map(\.stem))
        // A corrected word is a guess: it counts half in the coverage features.
        let correctedStems = Set(plan.words.filter { correctedPositions.contains($0.token.position) }.map(\.stem))
        var expansionOf: [String: Set<String>] = [:]
        for expansion in plan.expansions {
            for i in expansion.range {
                expansionOf[plan.words[i].stem, default: []].formUnion(expansion.stems.flatMap { $0 })
            }
        }
        var hits: [SearchHit] = []
        var topWeight = 0.0
        var secondWeight = 0.0
        if mset.count > 0 { topWeight = try mset.match(at: 0).weight }
        if mset.count > 1 { secondWeight = try mset.match(at: 1).weight }
        // Every term the query can match, in field order (the order of `matched`).
        var queryTerms: [String] = []
        var seenTerms = Set<String>()
        func addTerm(_ term: String) { if seenTerms.insert(term).inserted { queryTerms.append(term) } }
        let allStems = plan.words.map(\.stem) + plan.expansions.flatMap { $0.stems.flatMap { $0 } }
            + parsed.phrases.flatMap { $0.map { analyzer.stem($0.word) } }
        for (prefix, _) in explainedFields { for stem in allStems { addTerm(prefix.rawValue + stem) } }
        for key in titleShares.keys.sorted() { addTerm(TermPrefix.titleKey.rawValue + key) }
        for key in cardRomeShares.keys.sorted() { addTerm(TermPrefix.romeTitleKey.rawValue + key) }

        // Explaining a match (its matching terms) costs a walk of the query per document: only
        // the results that can be shown are explained; the rest (kept for facets) get the first
        // result's confidence scaled by their weight.
        let explained = max(1, request.offset + request.limit)
        for i in 0..<mset.count {
            let match = try mset.match(at: i)
            let card = try card(docid: match.docid)
            if i >= explained {
                let relative = topWeight > 0 ? match.weight / topWeight : 0
                let confidence = ((hits.first?.confidence ?? 0) * relative * 1000).rounded() / 1000
                hits.append(SearchHit(card: CardSummary(card), score: match.weight, confidence: confidence, matched: [], matchedTitle: nil, snippet: nil, features: [:], docid: match.docid))
                continue
            }
            var matched: [MatchedTerm] = []
            var bestTitleShare = 0.0
            var bestTitleKey: String?
            var matchedStems = Set<String>()
            var titleStems = Set<String>()
            // The query terms the card has: its (cached) term set against the query's terms,
            // cheaper than asking Xapian to walk the query for each document.
            let documentTerms = try terms(of: match.docid)
            for term in queryTerms where documentTerms.contains(term) {
                guard let (prefix, value) = TermPrefix.split(term) else { continue }
                if prefix == .titleKey {
                    let share = titleShares[value] ?? 0
                    if share > bestTitleShare || (share == bestTitleShare && bestTitleKey == nil) { bestTitleShare = share; bestTitleKey = value }
                } else if prefix == .romeTitleKey {
                    // A ROME title of the card counts as a title match, with less trust.
                    let share = (cardRomeShares[value] ?? 0) * Self.romeTitleTrust
                    if share > bestTitleShare { bestTitleShare = share }
                } else if TermPrefix.textFields.contains(prefix) {
                    matched.append(MatchedTerm(term: value, field: prefix.fieldName))
                    matchedStems.insert(value)
                    if prefix == .title { titleStems.insert(value) }
                }
            }
            func covered(_ stems: Set<String>) -> Double {
                guard !queryStems.isEmpty else { return 0 }
                let found = queryStems.filter { stem in stems.contains(stem) || !(expansionOf[stem] ?? []).isDisjoint(with: stems) }
                let n = Double(found.count) - 0.5 * Double(found.intersection(correctedStems).count)
                return n / Double(queryStems.count)
            }
            let features = Confidence.Features(
                titleShare: bestTitleShare,
                coverage: covered(matchedStems),
                titleCoverage: covered(titleStems),
                relativeWeight: topWeight > 0 ? match.weight / topWeight : 0,
                margin: topWeight > 0 ? (topWeight - secondWeight) / topWeight : 0,
                queryWords: plan.words.count)
            hits.append(SearchHit(
                card: CardSummary(card), score: match.weight, confidence: Confidence.estimate(features),
                matched: matched, matchedTitle: bestTitleKey.flatMap { appellation(of: card, key: $0) },
                snippet: nil, features: features.named, docid: match.docid))
        }
        let total = mset.matchesEstimated
        // The explained candidates are ordered by confidence, the calibrated probability that a
        // card is right: Xapian's weight is one of its inputs, beside how much of the query the
        // card's titles and text explain (a posting's text can outweigh a card whose title is
        // the posting's title). Ties keep Xapian's order.
        let reranked = min(hits.count, explained)
        let head = hits[..<reranked].enumerated().sorted { ($0.element.confidence, -$0.offset) > ($1.element.confidence, -$1.offset) }.map(\.element)
        hits.replaceSubrange(..<reranked, with: head)

        // ROME: the query's title matched against every ROME title. One outside the cards'
        // codes that explains the query clearly better than any card, through words that are
        // mostly found outside, makes the answer "none" and names where the query belongs.
        var romeShares: [String: Double] = [:]
        var romeStems = Set<String>()
        var nearest: RomeMatch?
        var nearestSearched = false
        var forcedNone = false
        if let rome {
            let variants = plan.titleVariants(limit: 6).map { (words: Array($0.words.prefix(Self.maximumTitleWords)), trust: $0.trust) }
            for variant in variants {
                for (key, share) in titleKeys(variant.words, known: rome.titleWords) where share * variant.trust > (romeShares[key] ?? 0) {
                    romeShares[key] = share * variant.trust
                }
            }
            romeStems = Set((variants.first?.words ?? []).filter { !JobNoise.isTitleNoise($0) }.map { analyzer.stem($0) })
            let cardTitle = hits.first.map { $0.features["title_share"] ?? 0 } ?? 0
            if useRome && !options.romeGuards {
                // The crude rule, for measuring the guards: the best ROME title decides.
                let best = try rome.best(titleShares: romeShares, stems: romeStems, filter: nil)
                forcedNone = best.map { !rome.cardCodes.contains($0.appellation.codeRomeParent) } ?? false
            } else if useRome && cardTitle + Self.outsideLead <= 1 {
                // (A card whose title explains the query that well cannot be beaten by the lead.)
                nearest = try rome.best(titleShares: romeShares, stems: romeStems, filter: nil, excluded: rome.inScope)
                nearestSearched = true
                if let outside = nearest, outside.quality >= Self.outsideQuality {
                    let inside = try rome.best(titleShares: romeShares, stems: romeStems, filter: rome.inScope)?.quality ?? 0
                    if outside.quality >= max(cardTitle, inside) + Self.outsideLead {
                        // The words that make the difference must belong elsewhere: in no card's
                        // title, and mostly in ROME titles outside the cards' codes.
                        forcedNone = false
                        for stem in outside.stems where try database.termFrequency(TermPrefix.title.rawValue + stem) == 0 {
                            forcedNone = true
                            if try rome.inScopeShare(of: stem) >= Self.outsideWordShare { forcedNone = false; break }
                        }
                    }
                }
            }
        }
        if forcedNone && options.abstention { hits.removeAll() }
        if options.abstention {
            // Abstain when even the best card is doubtful; otherwise keep the runners-up that
            // are not far-fetched.
            if let best = hits.first, best.confidence >= options.minimumConfidence {
                hits.removeAll { $0.confidence < options.minimumConfidence * Confidence.keepShare }
            } else {
                hits.removeAll()
            }
        }
        let match: MatchKind = hits.first.map { $0.matchedTitle != nil ? .title : .text } ?? .none
        var facets: FacetCounts?
        if request.facets {
            var counts = FacetCounts()
            for hit in hits {
                counts.famille[hit.card.famille, default: 0] += 1
                if let sousFamille = hit.card.sousFamille { counts.sousFamille[sousFamille, default: 0] += 1 }
                for code in hit.card.rome { counts.rome[code, default: 0] += 1 }
            }
            facets = counts
        }
        let page = hits.dropFirst(request.offset).prefix(request.limit)
        // Each result's ROME appellation: the best-matching title under its codes, the card's
        // own ROME titles winning a tie (none for a card without a ROME code).
        let romeAppellations = try rome?.bestPerCard(
            titleShares: romeShares, stems: romeStems, cards: page.map { (id: $0.card.id, codes: $0.card.rome) }) ?? [:]
        var result: [SearchHit] = []
        for var hit in page {
            if request.snippets { hit.snippet = try snippet(for: hit) }
            hit.romeAppellation = romeAppellations[hit.card.id]
            result.append(hit)
        }
        var nearestRome: NearestRomeMatch?
        if result.isEmpty, !nearestSearched, let rome {
            nearest = try rome.best(titleShares: romeShares, stems: romeStems, filter: nil, excluded: rome.inScope)
        }
        if result.isEmpty, let nearest, nearest.quality >= Self.nearestQuality, let metier = rome?.metiers[nearest.appellation.codeRome] {
            nearestRome = NearestRomeMatch(metier: metier, appellation: nearest.appellation, quality: nearest.quality)
        }
        return SearchOutcome(hits: result, total: total, match: match, didYouMean: didYouMean, facets: facets, nearestRome: nearestRome)
    }

    /// The boolean filter of a request: one of each given famille, sous-famille, ROME code.
    /// A ROME code may be of either generation: a fine code selects the cards its appellations
    /// extend, or, when none does, the cards that carry its older-generation code.
    private func filterQuery(_ request: SearchRequest) throws -> Query? {
        var groups: [Query] = []
        var romeCodes: [String] = []
        for code in request.romeCodes.map({ $0.uppercased() }) {
            if let rome, try database.termFrequency(TermPrefix.rome.rawValue + code) == 0 {
                romeCodes += try rome.parentCodes(of: code).filter { rome.cardCodes.contains($0) }
            }
            romeCodes.append(code)
        }
        for (prefix, values) in [(TermPrefix.famille, request.familles.map(Folding.slug)),
                                 (TermPrefix.sousFamille, request.sousFamilles.map(Folding.slug)),
                                 (TermPrefix.rome, romeCodes)] where !values.isEmpty {
            let terms = try values.filter { !$0.isEmpty }.map { value throws(XapianError) in try Query(term: prefix.rawValue + value) }
            // A filter whose values are all empty matches nothing, not everything.
            groups.append(terms.isEmpty ? try Query(term: prefix.rawValue + "-") : try Query(.or, terms))
        }
        guard !groups.isEmpty else { return nil }
        return groups.count == 1 ? groups[0] : try Query(.and, groups)
    }

    /// The cards closest to `id`: Xapian's relevance-set expansion of the card gives the terms
    /// that characterise it; the other cards are ranked on those terms and each says which
    /// terms it shares.
    public func similar(to id: String, limit: Int) throws(SearchError) -> [(hit: SearchHit, shared: [String])] {
        guard !id.unicodeScalars.contains("\u{0}") else { throw .notFound(id: id) }
        do {
            guard let docid = try database.findDocument(term: TermPrefix.id.rawValue + id) else { throw SearchError.notFound(id: id) }
            let prefixes = [TermPrefix.title, .activites, .description, .savoirFaire, .connaissances].map(\.rawValue)
            let terms = try database.expand(document: docid, maxTerms: 40, prefixes: prefixes)
            guard !terms.isEmpty else { return [] }
            let query = try Query(.andNot, [try Query(.or, terms.map { term throws(XapianError) in try Query(term: term) }), try Query(term: TermPrefix.id.rawValue + id)])
            let mset = try searchRetrying(query, limit: max(1, limit))
            var result: [(SearchHit, [String])] = []
            let top = mset.count > 0 ? try mset.match(at: 0).weight : 1
            for i in 0..<mset.count {
                let match = try mset.match(at: i)
                let card = try card(docid: match.docid)
                var shared: [String] = []
                var matched: [MatchedTerm] = []
                for term in try mset.matchingTerms(at: i) {
                    guard let (prefix, stem) = TermPrefix.split(term), TermPrefix.textFields.contains(prefix) else { continue }
                    matched.append(MatchedTerm(term: stem, field: prefix.fieldName))
                    if !shared.contains(stem) { shared.append(stem) }
                }
                let hit = SearchHit(
                    card: CardSummary(card), score: match.weight, confidence: top > 0 ? (match.weight / top * 1000).rounded() / 1000 : 0,
                    matched: matched, matchedTitle: nil, snippet: nil, features: [:])
                result.append((hit, shared))
            }
            return result
        } catch let error as SearchError {
            throw error
        } catch let error as XapianError {
            throw .xapian(error)
        } catch {
            throw .indexUnavailable("\(error)")
        }
    }

    /// A ROME code of either generation: its métier, fine codes and appellations, and the cards
    /// that carry it (their own code, or the fine code of an appellation attributed to them).
    public func romeCode(_ code: String) throws(SearchError) -> (lookup: RomeCodeLookup, cards: [CardSummary]) {
        guard let rome else { throw .indexUnavailable("this index was built without ROME data: rebuild it with `metiers-index` and Index/rome") }
        do {
            guard let lookup = try rome.lookup(code: code) else { throw SearchError.unknownRomeCode(code) }
            let mset = try searchRetrying(try Query(term: TermPrefix.rome.rawValue + code), limit: max(cardCount, 1))
            var cards: [Card] = []
            for i in 0..<mset.count { cards.append(try card(docid: try mset.match(at: i).docid)) }
            cards.sort { ($0.page, $0.id) < ($1.page, $1.id) }
            return (lookup, cards.map(CardSummary.init))
        } catch let error as SearchError {
            throw error
        } catch let error as XapianError {
            throw .xapian(error)
        } catch {
            throw .indexUnavailable("\(error)")
        }
    }

    /// Every card of the index, in Sommaire order.
    public func allCards() throws(SearchError) -> [Card] {
        do {
            let mset = try searchRetrying(try Query(term: ""), limit: max(cardCount, 1))
            var result: [Card] = []
            for i in 0..<mset.count { result.append(try card(docid: try mset.match(at: i).docid)) }
            return result.sorted { ($0.page, $0.id) < ($1.page, $1.id) }
        } catch let error as XapianError {
            throw .xapian(error)
        } catch {
            throw .indexUnavailable("\(error)")
        }
    }

    /// Where the title of a posting ends: the first ":", " - ", "|", "–" or line break within
    /// the first 100 characters (in Unicode scalars, as token offsets are); nil when none.
    static func headEnd(of text: String) -> Int? {
        let scalars = Array(text.unicodeScalars.prefix(100))
        for (i, c) in scalars.enumerated() {
            if c == ":" || c == "|" || c == "\n" || c == "\u{2013}" || c == "\u{2014}" { return i }
            if c == "-" && i > 0 && i + 1 < scalars.count && scalars[i - 1] == " " && scalars[i + 1] == " " { return i }
        }
        return nil
    }

    /// Title keys of one title variant and of its sub-titles (one or two words left out), each
    /// with the share of the variant it covers: an exact appellation match dominates, a title
    /// inside a longer query still counts.
    private func titleKeys(_ variant: [String], known: Set<String>) -> [(String, Double)] {
        let content = Set(variant.filter { !JobNoise.isTitleNoise($0) })
        // Words no title has cannot match one; they still lower the share of what matches.
        let words = content.filter { known.contains($0) }.sorted()
        let n = words.count
        let denominator = Double(n) + 0.5 * Double(content.count - n)
        guard n >= 1 && n <= Self.maximumTitleWords else { return [] }
        var keys: [(String, Double)] = [(TitleKey.key(words), Double(n) / denominator)]
        if n >= 2 {
            for i in 0..<n {
                keys.append((TitleKey.key(words.enumerated().filter { $0.offset != i }.map(\.element)), Double(n - 1) / denominator))
            }
        }
        if n >= 3 {
            for i in 0..<n {
                for j in (i + 1)..<n {
                    keys.append((TitleKey.key(words.enumerated().filter { $0.offset != i && $0.offset != j }.map(\.element)), Double(n - 2) / denominator))
                }
            }
        }
        return keys.filter { !$0.0.isEmpty && $0.0.utf8.count <= TitleKey.maximumLength }
    }

    /// The appellation (or name) of `card` whose title key is `key`.
    private func appellation(of card: Card, key: String) -> String? {
        for title in ([card.name] + card.appellations.map(\.label)).flatMap(TitleKey.variants)
        where TitleKey.key(TitleKey.words(of: title)) == key {
            return title
        }
        return nil
    }

    /// True when the stem of `word` is a term of some text field, a vocabulary alias or a word
    /// of a ROME title.
    private func known(_ word: String) -> Bool {
        if let cached = knownWords[word] { return cached }
        let stem = analyzer.stem(word)
        var found = ((try? synonyms(of: stem)) ?? []).isEmpty == false
        for prefix in TermPrefix.textFields where !found && ((try? database.termFrequency(prefix.rawValue + stem)) ?? 0) > 0 {
            found = true
        }
        // A word of some ROME title is a real job word, not a typo ("Architecte d'intérieur"
        // must not become "architecte ingénieur").
        if !found, let rome, ((try? rome.database.termFrequency(TermPrefix.title.rawValue + stem)) ?? 0) > 0 { found = true }
        if knownWords.count > 20_000 { knownWords.removeAll(keepingCapacity: true) }
        knownWords[word] = found
        return found
    }

    /// OR over the text fields of some stems, each field scaled by its weight times `scale`.
    private func fieldsQuery(_ stems: [String], weights: [(TermPrefix, Double)], scale: Double) throws(XapianError) -> Query {
        var perField: [Query] = []
        perField.reserveCapacity(weights.count * stems.count)
        for stem in stems {
            for (prefix, weight) in weights {
                perField.append(try Query(term: prefix.rawValue + stem).scaled(by: weight * scale))
            }
        }
        return try Query(.or, perField)
    }

    /// The card's item with the most matched words, weighted by field, with the words marked.
    private func snippet(for hit: SearchHit) throws -> Snippet? {
        let docid = hit.docid
        let texts: [(TermPrefix, String, [AnalysedTerm])]
        if let cached = cardTexts[docid] {
            texts = cached
        } else {
            let card = try card(docid: docid)
            texts = CardFields.text(of: card).flatMap { field, items in
                items.filter { !$0.isEmpty }.map { (field, $0, analyzer.analyse($0)) }
            }
            cardTexts[docid] = texts
        }
        let stems = Set(hit.matched.map(\.term))
        guard !stems.isEmpty else { return nil }
        let fieldWeight: [TermPrefix: Double] = [.title: 3, .description: 1.5, .activites: 1.4, .savoirFaire: 1.2, .connaissances: 1, .other: 0.5]
        var best: (score: Double, field: TermPrefix, text: String, terms: [AnalysedTerm])?
        for (field, text, terms) in texts {
            let found = Set(terms.map(\.stem)).intersection(stems)
            guard !found.isEmpty else { continue }
            // Prefer items dense in matched words: short appellations and bullets over prose.
            let score = Double(found.count) * (fieldWeight[field] ?? 1) - Double(text.count) / 2000
            if best == nil || score > best!.score { best = (score, field, text, terms) }
        }
        guard let best else { return nil }
        let highlights = best.terms.filter { stems.contains($0.stem) }.map { [$0.start, $0.end] }
        return Snippet(field: best.field.fieldName, text: best.text, highlights: highlights)
    }

    /// Searches; on DatabaseModifiedError reopens once and retries.
    private func searchRetrying(_ query: Query, limit: Int) throws(XapianError) -> MatchSet {
        do {
            return try database.search(query, offset: 0, limit: limit, checkAtLeast: cardCount, bm25: Self.bm25)
        } catch where error.kind == .databaseModified {
            try database.reopen()
            cards.removeAll()
            cardTexts.removeAll()
            synonymCache.removeAll()
            documentTerms.removeAll()
            return try database.search(query, offset: 0, limit: limit, checkAtLeast: cardCount, bm25: Self.bm25)
        }
    }
}
