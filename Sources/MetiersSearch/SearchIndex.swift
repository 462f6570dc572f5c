#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MetiersModel
import MetiersSchema
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
    /// Read `"phrases"` and `-exclusions` (a search box's query); false: the text as written
    /// (a job title, a posting), its quotes and dashes being punctuation.
    public var querySyntax: Bool = true
    /// When the answer is due: checked between the stages, and Xapian's match is given what
    /// is left (`Enquire::set_time_limit`: past it, the best found so far). nil: no budget.
    public var deadline: ContinuousClock.Instant?

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
    /// A posting's lead-ins ("Missions :", "Profil recherché -") are not its title, and a title
    /// after a recruiting marker ("nous recherchons un X pour") is.
    public var leadIns = true
    /// Role level: a managing query (manager, responsable, head of…) against a doing card, and
    /// the reverse, are features of the confidence model.
    public var role = true
    /// A title's parts after its head ("Développeur Java - CDI - Villeurbanne") are details:
    /// searched, but neither matched as the title nor read by ROME's evidence.
    public var titleDetails = true
    /// A posting is answered "none" only on ROME's evidence about its title, never because its
    /// text is doubtful. Off: the confidence threshold applies to postings too.
    public var postingAnswers = true
    /// The confidence under which a title answers "none"; nil: the model's.
    public var minimumConfidence: Double?
    /// The ranking model; nil: the one stored in the index.
    public var model: RankingModel?

    public init() {}

    /// The feature names accepted by `disabling(_:)`.
    public static let featureNames = [
        "title-match", "synonyms", "noise-filter", "spelling", "abstention", "rome", "rome-guards", "lead-ins", "role", "title-details",
        "posting-answers",
    ]

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
        case "lead-ins": o.leadIns = false
        case "role": o.role = false
        case "title-details": o.titleDetails = false
        case "posting-answers": o.postingAnswers = false
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
    public var card: Card.Summary
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
    public var facets: Facets?
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
    /// Every word of some vocabulary alias, folded as a query's tokens are: a noise word
    /// outside this set cannot belong to an alias (see `aliasWords`).
    let vocabularyWords: Set<String>
    /// The vocabulary's acronyms that spell a word ("SI", "SAP"; not "N1"), folded: in a
    /// posting's body they expand only when written in capitals (see `lowercaseAcronyms`).
    let acronyms: Set<String>
    let database: Database
    /// The ROME database of the same build; nil for an index built without ROME data.
    let rome: RomeIndex?
    let analyzer: FrenchAnalyzer
    let logger: Logger
    /// What the search reads of each card, made once per handle (see `CardProfile`).
    private var profiles = BoundedCache<UInt32, CardProfile>(capacity: 5_000)
    private var synonymCache = BoundedCache<String, [String]>(capacity: 20_000)
    private var knownWords = BoundedCache<String, Bool>(capacity: 20_000)
    private let managingWords: Set<String>
    /// The stems of the model's `sectorWords`: no title-field match (see `fieldsQuery`).
    let sectorStems: Set<String>
    /// Every term of every card, when the index is small enough to keep them (see `exists`).
    private var indexTerms: Set<String>?
    private let decoder = JSONDecoder()
    /// The weights and thresholds of every stage.
    public let model: RankingModel
    /// Title typeahead over the cards', the vocabulary's and ROME's titles (`titleSuggester()`).
    private var suggester: TitleSuggester?
    /// Per stem of the cards' text, the word a person would recognise (see `StemWords`); nil
    /// for an index too large for its profiles to be made at open.
    private var stemWords: StemWords?

    /// Opens the index under `path`: a directory holding a `XAPIANDB` stub (as `metiers-index`
    /// writes it), or a Xapian database directory. `sharing`: a handle opened just before on
    /// the same index, whose immutable tables (the suggester, the stem words) this one reuses
    /// when it opened the same index version, instead of making its own.
    public init(path: String, options: RankingOptions = RankingOptions(), logger: Logger, sharing other: SearchIndex? = nil) throws(SearchError) {
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
            let aliases = try StoredTitles.decode(try database.metadata(MetadataKey.vocabularyTitles)).map(\.title)
            vocabularyWords = Set(aliases.flatMap { Tokenizer.tokenize($0).map(\.word) })
            acronyms = Set(aliases.filter(Self.isAcronym).flatMap { Tokenizer.tokenize($0).map(\.word) })
            let build = try database.metadata(MetadataKey.buildDirectory)
            // Under a stub root, the build's directory; opened directly, the database's own.
            let romePath = [path + "/" + build + "/rome", path + "/rome"].first { FileManager.default.fileExists(atPath: $0 + "/iamglass") }
            rome = try romePath.map { try RomeIndex(path: $0) }
            if let given = options.model {
                model = given
            } else {
                let stored = try database.metadata(MetadataKey.rankingModel)
                guard !stored.isEmpty else {
                    throw SearchError.indexUnavailable("index at \(path) carries no ranking model: rebuild it with `metiers-index --db \(path)`")
                }
                model = try RankingModel.decode(Array(stored.utf8))
            }
            managingWords = Set(model.role.managingWords)
            sectorStems = Set((model.retrieval.sectorWords ?? []).flatMap { [analyzer] word in analyzer.analyse(word).map(\.stem) })
            try warmProfiles()
            // Like the profiles: made now when the index is small enough, so that the first
            // requests cost what the others do; else on first use.
            if let other, other.indexVersion == indexVersion, let shared = other.suggester {
                suggester = shared
                stemWords = other.stemWords
            } else if cardCount <= Self.warmCardLimit {
                let cards = try allCards()
                stemWords = StemWords(profiles: try cards.map { card in try profile(id: card.id) })
                suggester = try makeSuggester(cards: cards)
            }
            if rome == nil { logger.notice("index has no ROME data", metadata: ["path": "\(path)"]) }
        } catch let error as SearchError {
            throw error
        } catch {
            throw .indexUnavailable("cannot open the index at \(path): \(error)")
        }
    }

    /// The one mapping of this boundary: what the stages and the handles throw, as a search
    /// error (a Xapian error keeps its kind; anything else means the index cannot be read).
    static func searchError(_ error: any Error) -> SearchError {
        switch error {
        case let error as SearchError: error
        case let error as XapianError: .xapian(error)
        default: .indexUnavailable("\(error)")
        }
    }

    /// The card with this id.
    public func card(id: String) throws(SearchError) -> Card {
        do {
            return try profile(id: id).card
        } catch {
            throw Self.searchError(error)
        }
    }

    func card(docid: UInt32) throws -> Card { try profile(docid).card }

    /// The profile of the card with this id.
    func profile(id: String) throws -> CardProfile {
        // A NUL would end the term at the C boundary and find another card.
        guard !id.unicodeScalars.contains("\u{0}"), let docid = try database.findDocument(term: TermPrefix.id.rawValue + id) else {
            throw SearchError.notFound(id: id)
        }
        return try profile(docid)
    }

    /// The card's profile, made on first use (the index under an open handle does not change).
    func profile(_ docid: UInt32) throws -> CardProfile {
        try profiles.value(for: docid) {
            let card = try decoder.decode(Card.self, from: Data(try database.documentData(docid).utf8))
            return CardProfile(card: card, terms: Set(try database.terms(of: docid)), analyzer: analyzer, managingWords: managingWords)
        }
    }

    /// Makes every card's profile now, when the index is small enough for them all to stay:
    /// the first queries then cost what the others do.
    func warmProfiles() throws {
        guard cardCount <= Self.warmCardLimit else { return }
        let mset = try database.search(try Query(term: ""), limit: cardCount)
        var terms = Set<String>()
        for i in 0..<mset.count { terms.formUnion(try profile(try mset.match(at: i).docid).terms) }
        indexTerms = terms
    }

    /// Largest index whose profiles are all made when it opens.
    static let warmCardLimit = 200

    /// Synonyms stored for `key` (cached: the table does not change under an open handle).
    func synonyms(of key: String) throws -> [String] {
        try synonymCache.value(for: key) { try database.synonyms(of: key) }
    }

    /// The card `map` answers first for each title, as a daemon serving this index does; a
    /// title answered `none` is absent. What `metiers-index` stores as the card a suggested
    /// title leads to. A title with no word to search (`empty_query`: a lone sign) leads to no
    /// card either, and is logged; any other failure throws.
    public func leadingCards(of titles: [String]) throws(SearchError) -> [String: String] {
        var cards: [String: String] = [:]
        for title in titles {
            do {
                var request = SearchRequest(text: title, mode: .title, limit: 1)
                request.querySyntax = false
                if let first = try search(request).hits.first { cards[title] = first.card.id }
            } catch .emptyQuery {
                logger.notice("a suggested title has no word to search: it leads to no card", metadata: ["title": "\(title)"])
            }
        }
        return cards
    }

    /// The titles that best complete `query` (see `TitleSuggester`).
    /// `emptyQuery` when the query has no word (only signs).
    public func suggest(_ query: String, limit: Int) throws(SearchError) -> [TitleSuggestion] {
        guard let titles = try titleSuggester().suggest(query, limit: limit) else { throw .emptyQuery }
        return titles
    }

    /// The suggester of this index: made at open for an index of at most `warmCardLimit`
    /// cards, else on first use (from the card documents, without their profiles).
    public func titleSuggester() throws(SearchError) -> TitleSuggester {
        if let suggester { return suggester }
        do {
            let mset = try searchRetrying(try Query(term: ""), limit: max(cardCount, 1))
            var cards: [Card] = []
            for i in 0..<mset.count {
                cards.append(try decoder.decode(Card.self, from: Data(try database.documentData(try mset.match(at: i).docid).utf8)))
            }
            let made = try makeSuggester(cards: cards)
            suggester = made
            return made
        } catch {
            throw Self.searchError(error)
        }
    }

    /// A suggester over `cards` and the titles the index stores (vocabulary, ROME).
    private func makeSuggester(cards: [Card]) throws -> TitleSuggester {
        let vocabulary = try StoredTitles.decode(try database.metadata(MetadataKey.vocabularyTitles))
        return TitleSuggester(cards: cards, vocabulary: vocabulary, rome: try rome?.storedTitles() ?? [])
    }

    /// Runs a search: analyse → compose → retrieve → explain → ROME evidence → decide → present.
    public func search(_ request: SearchRequest) throws(SearchError) -> SearchOutcome {
        do {
            let analysis = try analyse(request)
            try checkBudget(request, before: "compose")
            let composed = try compose(analysis, request: request)
            try checkBudget(request, before: "retrieve")
            let retrieved = try retrieve(composed, request: request)
            try checkBudget(request, before: "explain")
            let candidates = try explain(retrieved, composed, analysis, request: request)
            try checkBudget(request, before: "rome")
            let evidence = try romeEvidence(analysis)
            let decision = Decide.decide(candidates, evidence: evidence, analysis: analysis, model: model, options: options)
            try checkBudget(request, before: "present")
            return try present(decision, evidence: evidence, analysis: analysis, retrieved: retrieved, request: request)
        } catch {
            throw Self.searchError(error)
        }
    }

    /// Throws `timeout` when the request is past its deadline.
    func checkBudget(_ request: SearchRequest, before stage: String) throws(SearchError) {
        if let deadline = request.deadline, ContinuousClock.now > deadline { throw .timeout(stage: stage) }
    }

    /// The boolean filter of a request: one of each given famille, sous-famille, ROME code.
    /// A ROME code may be of either generation: a fine code selects the cards its appellations
    /// extend, or, when none does, the cards that carry its older-generation code.
    func filterQuery(_ request: SearchRequest) throws -> Query? {
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
    /// terms it shares, as the words the cards write for them (`StemWords`), not as stems.
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
                    // Shown as the word the cards write most for it ("programmation", not "programm").
                    let word = try stemWords?.word(for: stem) ?? profile(match.docid).word(for: stem)
                    if !shared.contains(word) { shared.append(word) }
                }
                let hit = SearchHit(
                    card: card.summary, score: match.weight, confidence: top > 0 ? (match.weight / top * 1000).rounded() / 1000 : 0,
                    matched: matched, matchedTitle: nil, snippet: nil, features: [:])
                result.append((hit, shared))
            }
            return result
        } catch {
            throw Self.searchError(error)
        }
    }

    /// A ROME code of either generation: its métier, fine codes and appellations, and the cards
    /// that carry it (their own code, or the fine code of an appellation attributed to them).
    public func romeCode(_ code: String) throws(SearchError) -> (lookup: RomeCodeLookup, cards: [Card.Summary]) {
        guard let rome else { throw .indexUnavailable("this index was built without ROME data: rebuild it with `metiers-index` and Index/rome") }
        do {
            guard let lookup = try rome.lookup(code: code) else { throw SearchError.unknownRomeCode(code) }
            let mset = try searchRetrying(try Query(term: TermPrefix.rome.rawValue + code), limit: max(cardCount, 1))
            var cards: [Card] = []
            for i in 0..<mset.count { cards.append(try card(docid: try mset.match(at: i).docid)) }
            cards.sort { ($0.page, $0.id) < ($1.page, $1.id) }
            return (lookup, cards.map(\.summary))
        } catch {
            throw Self.searchError(error)
        }
    }

    /// Every card of the index, in Sommaire order.
    public func allCards() throws(SearchError) -> [Card] {
        do {
            let mset = try searchRetrying(try Query(term: ""), limit: max(cardCount, 1))
            var result: [Card] = []
            for i in 0..<mset.count { result.append(try card(docid: try mset.match(at: i).docid)) }
            return result.sorted { ($0.page, $0.id) < ($1.page, $1.id) }
        } catch {
            throw Self.searchError(error)
        }
    }

    /// Title keys of one title variant and of its sub-titles (one or two words left out), each
    /// with the share of the variant it covers: an exact appellation match dominates, a title
    /// inside a longer query still counts.
    func titleKeys(_ variant: [String], known: Set<String>) -> [(String, Double)] {
        let content = Set(variant.filter { !JobNoise.isTitleNoise($0) })
        // Words no title has cannot match one; they still lower the share of what matches.
        let words = content.filter { known.contains($0) }.sorted()
        let n = words.count
        let denominator = Double(n) + 0.5 * Double(content.count - n)
        guard n >= 1 && n <= model.retrieval.maximumTitleWords else { return [] }
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

    /// True when the stem of `word` is a term of some text field, a vocabulary alias or a word
    /// of a ROME title. A Xapian error is an error, not an unknown word.
    func known(_ word: String) throws -> Bool {
        if let cached = knownWords[word] { return cached }
        let found = try lookUpKnown(word)
        knownWords.insert(found, for: word)
        return found
    }

    private func lookUpKnown(_ word: String) throws -> Bool {
        let stem = analyzer.stem(word)
        if try !synonyms(of: stem).isEmpty { return true }
        for prefix in TermPrefix.textFields where try database.termFrequency(prefix.rawValue + stem) > 0 { return true }
        // A word of some ROME title is a real job word, not a typo ("Architecte d'intérieur"
        // must not become "architecte ingénieur").
        if let rome, try rome.database.termFrequency(TermPrefix.title.rawValue + stem) > 0 { return true }
        return false
    }

    /// OR over the text fields of some stems, each field scaled by its weight times `scale`;
    /// nil when no card has any of them (a term no document has adds nothing to any weight).
    func fieldsQuery(_ stems: [String], weights: [(TermPrefix, Double)], scale: Double) throws(XapianError) -> Query? {
        var perField: [Query] = []
        perField.reserveCapacity(weights.count * stems.count)
        for stem in stems {
            for (prefix, weight) in weights where exists(prefix.rawValue + stem) && !isSectorTitleMatch(prefix, stem) {
                perField.append(try Query(term: prefix.rawValue + stem).scaled(by: weight * scale))
            }
        }
        return perField.isEmpty ? nil : try Query(.or, perField)
    }

    /// A sector word ("informatique") in the title field: no evidence for one card over another.
    func isSectorTitleMatch(_ prefix: TermPrefix, _ stem: String) -> Bool {
        prefix == .title && sectorStems.contains(stem)
    }

    /// False only when no card has `term`: known for an index whose profiles are all made
    /// (`warmProfiles`), else assumed present (Xapian then finds it has no postings).
    func exists(_ term: String) -> Bool { indexTerms?.contains(term) ?? true }

    /// The card's item with the most matched words, weighted by field, with the words marked.
    func snippet(for hit: SearchHit) throws -> Snippet? {
        try profile(hit.docid).snippet(matching: Set(hit.matched.map(\.term)))
    }

    /// Searches; on DatabaseModifiedError reopens once and retries.
    func searchRetrying(_ query: Query, limit: Int, timeLimit: Duration? = nil) throws(XapianError) -> MatchSet {
        let bm25 = BM25Parameters(k1: model.retrieval.bm25K1, b: model.retrieval.bm25B)
        do {
            return try database.search(query, offset: 0, limit: limit, checkAtLeast: cardCount, bm25: bm25, timeLimit: timeLimit)
        } catch where error.kind == .databaseModified {
            try database.reopen()
            // The terms may have changed: no pruning until this handle is opened anew.
            indexTerms = nil
            profiles.removeAll()
            synonymCache.removeAll()
            knownWords.removeAll()
            return try database.search(query, offset: 0, limit: limit, checkAtLeast: cardCount, bm25: bm25, timeLimit: timeLimit)
        }
    }
}
