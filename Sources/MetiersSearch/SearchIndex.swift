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

    public init(text: String, mode: Mode = .search, limit: Int = 10, offset: Int = 0) {
        self.text = text
        self.mode = mode
        self.limit = limit
        self.offset = offset
    }
}

/// Where one query word matched a card.
public struct MatchedTerm: Sendable, Equatable {
    /// The stem that matched (`developpeur`).
    public var term: String
    /// The field it matched in (`title`, `activites`, …).
    public var field: String
}

/// One ranked card.
public struct SearchHit: Sendable, Equatable {
    public var card: CardSummary
    /// Xapian's BM25 weight (relative, not comparable across queries).
    public var score: Double
    /// The query terms that matched, by field.
    public var matched: [MatchedTerm]
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

/// The answer to a search.
public struct SearchOutcome: Sendable, Equatable {
    public var hits: [SearchHit]
    /// Estimated number of matching cards in all.
    public var total: Int
    /// The corrected query, when the query's words were unknown and a spelling fix was used.
    public var didYouMean: String?
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
    let database: Database
    let analyzer: FrenchAnalyzer
    let logger: Logger
    private var cards: [UInt32: Card] = [:]
    private let decoder = JSONDecoder()

    /// Field weights by mode: how much a match in each field counts.
    static let fieldWeights: [SearchRequest.Mode: [(TermPrefix, Double)]] = [
        .search: [(.title, 4.0), (.activites, 1.5), (.description, 1.5), (.savoirFaire, 1.0), (.connaissances, 0.8), (.other, 0.3)],
        .title: [(.title, 8.0), (.activites, 1.0), (.description, 1.0), (.savoirFaire, 0.5), (.connaissances, 0.5), (.other, 0.2)],
    ]

    /// Opens the index under `path`: a directory holding a `XAPIANDB` stub (as `metiers-index`
    /// writes it), or a Xapian database directory.
    public init(path: String, logger: Logger) throws(SearchError) {
        self.path = path
        self.logger = logger
        let stub = path + "/XAPIANDB"
        let target = FileManager.default.fileExists(atPath: stub) ? stub : path
        guard FileManager.default.fileExists(atPath: path) else {
            throw .indexUnavailable("no index at \(path): build one with `metiers-index --db \(path)`")
        }
        do {
            database = try Database(path: target)
            analyzer = try FrenchAnalyzer()
            let schema = try database.metadata(MetadataKey.schema)
            guard schema == indexSchemaVersion else {
                throw SearchError.indexUnavailable(
                    "index at \(path) has schema '\(schema)', this build reads schema '\(indexSchemaVersion)': rebuild it with `metiers-index --db \(path)`")
            }
            indexVersion = try database.metadata(MetadataKey.indexVersion)
            builtAt = try database.metadata(MetadataKey.builtAt)
            cardCount = try database.documentCount()
        } catch let error as SearchError {
            throw error
        } catch let error as XapianError {
            throw .indexUnavailable("cannot open the index at \(path): \(error)")
        } catch {
            throw .indexUnavailable("cannot open the index at \(path): \(error)")
        }
    }

    /// The card with this id.
    public func card(id: String) throws(SearchError) -> Card {
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
        var words = parsed.words.filter { !FrenchWords.isStopword($0.word) }
        let phrases = parsed.phrases
        guard !words.isEmpty || !phrases.isEmpty else { throw SearchError.emptyQuery }

        // Spelling: words no field knows are replaced by Xapian's suggestion when there is one.
        var didYouMean: String?
        var corrected = false
        for i in words.indices where !known(words[i].word) {
            if let suggestion = try database.spellingSuggestion(for: words[i].word), suggestion != words[i].word {
                words[i].word = suggestion
                corrected = true
            }
        }
        if corrected { didYouMean = words.map(\.word).joined(separator: " ") }

        let weights = Self.fieldWeights[request.mode]!
        var parts: [Query] = []
        for token in words {
            parts.append(try wordQuery(analyzer.stem(token.word), weights: weights))
        }
        for phrase in phrases {
            let stems = phrase.filter { !FrenchWords.isStopword($0.word) }.map { analyzer.stem($0.word) }
            guard !stems.isEmpty else { continue }
            var perField: [Query] = []
            for (prefix, weight) in weights {
                let terms = try stems.map { stem throws(XapianError) in try Query(term: prefix.rawValue + stem) }
                // The window counts the function words between (they keep their positions).
                let phraseQuery = terms.count == 1 ? terms[0] : try Query(.phrase(window: UInt32(phrase.count)), terms)
                perField.append(try phraseQuery.scaled(by: weight))
            }
            parts.append(try Query(.or, perField))
        }
        parts += try titleKeyQueries(words, weight: Self.titleKeyWeights[request.mode]!)
        var query = try Query(.or, parts)
        // Phrases are requirements, not suggestions.
        if !phrases.isEmpty && words.isEmpty == false {
            let required = parts.suffix(phrases.count)
            query = try Query(.andMaybe, [try Query(.and, Array(required)), try Query(.or, Array(parts.prefix(words.count)))])
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

        let limit = max(0, request.limit)
        let mset = try searchRetrying(query, offset: request.offset, limit: limit)
        var hits: [SearchHit] = []
        hits.reserveCapacity(mset.count)
        for i in 0..<mset.count {
            let match = try mset.match(at: i)
            let card = try card(docid: match.docid)
            let matched = try mset.matchingTerms(at: i).compactMap { term -> MatchedTerm? in
                guard let (prefix, stem) = TermPrefix.split(term), TermPrefix.textFields.contains(prefix) else { return nil }
                return MatchedTerm(term: stem, field: prefix.fieldName)
            }
            hits.append(SearchHit(card: CardSummary(card), score: match.weight, matched: matched))
        }
        return SearchOutcome(hits: hits, total: mset.matchesEstimated, didYouMean: didYouMean)
    }

    /// True when the stem of `word` is a term of some text field.
    private func known(_ word: String) -> Bool {
        let stem = analyzer.stem(word)
        for prefix in TermPrefix.textFields where ((try? database.termFrequency(prefix.rawValue + stem)) ?? 0) > 0 {
            return true
        }
        return false
    }

    /// Title keys of the query and of its sub-titles (one or two words left out), each scaled by
    /// the square of the share of the query it covers: an exact appellation match dominates, a
    /// title inside a longer query still counts.
    private func titleKeyQueries(_ words: [Token], weight: Double) throws(XapianError) -> [Query] {
        let content = words.filter { !TitleKey.noiseWords.contains($0.word) }
        let stems = Array(Set((content.isEmpty ? words : content).map { TitleKey.normalise($0.word) })).sorted()
        let n = stems.count
        guard n >= 1 && n <= Self.maximumTitleWords else { return [] }
        var queries: [Query] = []
        var seen = Set<String>()
        func add(_ subset: [String]) throws(XapianError) {
            let key = TitleKey.key(subset)
            guard !key.isEmpty, seen.insert(key).inserted else { return }
            let share = Double(subset.count) / Double(n)
            queries.append(try Query(term: TermPrefix.titleKey.rawValue + key).scaled(by: weight * share * share))
        }
        try add(stems)
        if n >= 2 {
            for i in 0..<n { try add(stems.enumerated().filter { $0.offset != i }.map(\.element)) }
        }
        if n >= 3 {
            for i in 0..<n {
                for j in (i + 1)..<n { try add(stems.enumerated().filter { $0.offset != i && $0.offset != j }.map(\.element)) }
            }
        }
        return queries
    }

    /// Queries longer than this are not matched against titles as a whole.
    static let maximumTitleWords = 8

    /// Weight of an exact title-key match by mode.
    static let titleKeyWeights: [SearchRequest.Mode: Double] = [.search: 10, .title: 14]

    /// OR over the text fields of one stem, each field scaled by its weight.
    private func wordQuery(_ stem: String, weights: [(TermPrefix, Double)]) throws(XapianError) -> Query {
        var perField: [Query] = []
        perField.reserveCapacity(weights.count)
        for (prefix, weight) in weights {
            perField.append(try Query(term: prefix.rawValue + stem).scaled(by: weight))
        }
        return try Query(.or, perField)
    }

    /// Searches; on DatabaseModifiedError reopens once and retries.
    private func searchRetrying(_ query: Query, offset: Int, limit: Int) throws(XapianError) -> MatchSet {
        do {
            return try database.search(query, offset: offset, limit: limit, checkAtLeast: cardCount)
        } catch where error.kind == .databaseModified {
            try database.reopen()
            cards.removeAll()
            return try database.search(query, offset: offset, limit: limit, checkAtLeast: cardCount)
        }
    }
}
