import MetiersIndex
import MetiersText

/// What a query asks for, after analysis: its content words, the vocabulary's expansions of
/// them, and the title variants to match against appellations.
struct QueryPlan {
    /// A content word of the query.
    struct Word {
        var token: Token
        var stem: String
        /// The word in title form (`TitleKey.normalise`).
        var titleWord: String
        /// The word belongs to the title of a posting ("Responsable service desk : vous…").
        var inHead: Bool
    }

    /// A run of query words the vocabulary knows, and what it expands to.
    struct Expansion {
        /// Indices into `words`.
        var range: Range<Int>
        /// Stems of each expansion (one array per synonym).
        var stems: [[String]]
        /// Title words of each expansion.
        var titleWords: [[String]]
    }

    var words: [Word]
    var expansions: [Expansion]
    /// Words dropped as job-posting noise (H/F, CDI, salaire, city names…).
    var droppedNoise: [String]

    /// Trust in a title variant that comes from the vocabulary rather than the user's words.
    static let expansionTrust = 0.9

    /// Indices of the words that some expansion covers.
    var expandedIndices: Set<Int> { Set(expansions.flatMap { Array($0.range) }) }

    /// The title variants with how much each is trusted: the query's own title words (1), then
    /// each expansion substituted in (a little less, so that the words the user typed win a tie).
    /// Only the head's words take part when the query is a posting with a title.
    func titleVariants(limit: Int) -> [(words: [String], trust: Double)] {
        let hasHead = words.contains { $0.inHead }
        func titleWords(_ slice: ArraySlice<Word>) -> [String] { slice.filter { !hasHead || $0.inHead }.map(\.titleWord) }
        var variants: [(words: [String], trust: Double)] = [(titleWords(words[...]), 1)]
        for expansion in expansions where !hasHead || words[expansion.range.lowerBound].inHead {
            for target in expansion.titleWords where !target.isEmpty {
                var variant = titleWords(words[..<expansion.range.lowerBound])
                variant += target
                variant += titleWords(words[expansion.range.upperBound...])
                variants.append((variant, QueryPlan.expansionTrust))
                if variants.count >= limit { return variants }
            }
        }
        return variants
    }
}

extension SearchIndex {
    /// Content words of a query that take part in the search (the rest of a longer text is left out).
    static let maximumQueryWords = 300

    /// Longest vocabulary alias looked up, in words.
    static let maximumAliasWords = 3

    /// Longest head (in content words) read as a posting's title.
    static let maximumHeadWords = 8

    /// Analyses the positive words of a query. `headEnd` is the offset where the posting's title
    /// ends (a ":", " - ", "|" or line break early in a long text), if any.
    func plan(_ tokens: [Token], headEnd: Int?, options: RankingOptions) throws -> QueryPlan {
        var dropped: [String] = []
        var kept: [Token] = []
        // Titles lose only their gender, seniority and contract marks; postings also lose pay,
        // places and recruiting phrases.
        let isPosting = tokens.filter { !FrenchWords.isStopword($0.word) }.count >= Confidence.postingWords
        for token in tokens where !FrenchWords.isStopword(token.word) {
            if options.noiseFilter && (isPosting ? JobNoise.isPostingNoise(token.word) : JobNoise.isTitleNoise(token.word)) {
                dropped.append(token.word)
            } else {
                kept.append(token)
            }
        }
        // A title made only of noise ("Stage", "Lead") is still searched.
        if kept.isEmpty { kept = tokens.filter { !FrenchWords.isStopword($0.word) }; dropped = [] }
        // A very long text is read up to a bound: its first words say what the job is, and the
        // cost of a query grows with its words.
        if kept.count > Self.maximumQueryWords { kept = Array(kept.prefix(Self.maximumQueryWords)) }
        var words = kept.map { QueryPlan.Word(token: $0, stem: analyzer.stem($0.word), titleWord: TitleKey.normalise($0.word), inHead: false) }
        if let headEnd, words.count >= Confidence.postingWords {
            let head = words.indices.filter { words[$0].token.end <= headEnd }
            if !head.isEmpty && head.count <= Self.maximumHeadWords {
                for i in head { words[i].inHead = true }
            }
        }

        var expansions: [QueryPlan.Expansion] = []
        if options.synonyms {
            var i = 0
            while i < words.count {
                var matched = false
                for length in stride(from: min(Self.maximumAliasWords, words.count - i), through: 1, by: -1) {
                    let run = words[i..<(i + length)]
                    let stems = try synonyms(of: run.map(\.stem).joined(separator: " "))
                    let titles = try synonyms(of: Vocabulary.titleKeyPrefix + run.map(\.titleWord).joined(separator: " "))
                    if stems.isEmpty && titles.isEmpty { continue }
                    expansions.append(QueryPlan.Expansion(
                        range: i..<(i + length),
                        stems: stems.map { $0.split(separator: " ").map(String.init) },
                        titleWords: titles.map { $0.split(separator: " ").map(String.init) }))
                    i += length
                    matched = true
                    break
                }
                if !matched { i += 1 }
            }
        }
        return QueryPlan(words: words, expansions: expansions, droppedNoise: dropped)
    }
}
