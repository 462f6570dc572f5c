import MetiersSchema
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
        /// The title form read as masculine when the word may be a feminine agreement
        /// ("consultante", "chargée", "commerciale"); nil otherwise.
        var masculineTitleWord: String? = nil
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

    /// Indices of the words that some expansion covers.
    var expandedIndices: Set<Int> { Set(expansions.flatMap { Array($0.range) }) }

    /// The title variants with how much each is trusted: the query's own title words (1), then
    /// each expansion substituted in (a little less, so that the words the user typed win a tie).
    /// Only the head's words take part when the query is a posting with a title.
    func titleVariants(limit: Int, expansionTrust: Double) -> [(words: [String], trust: Double)] {
        let hasHead = words.contains { $0.inHead }
        let title = words.filter { !hasHead || $0.inHead }
        // The words around an expansion are read as masculine: the vocabulary's titles are.
        func titleWords(_ slice: ArraySlice<Word>) -> [String] {
            slice.filter { !hasHead || $0.inHead }.map { $0.masculineTitleWord ?? $0.titleWord }
        }
        var variants: [(words: [String], trust: Double)] = [(title.map(\.titleWord), 1)]
        // The user's own words with each feminine agreement read as masculine, trusted as much.
        let masculine = title.map { $0.masculineTitleWord ?? $0.titleWord }
        if masculine != variants[0].words { variants.append((masculine, 1)) }
        for expansion in expansions where !hasHead || words[expansion.range.lowerBound].inHead {
            for target in expansion.titleWords where !target.isEmpty {
                var variant = titleWords(words[..<expansion.range.lowerBound])
                variant += target
                variant += titleWords(words[expansion.range.upperBound...])
                variants.append((variant, expansionTrust))
                if variants.count >= limit { return variants }
            }
        }
        if let whole = wholeTranslation(titleWords, hasHead: hasHead) { variants.append((whole, expansionTrust)) }
        return variants
    }

    /// The title read with every expansion substituted at once (each by its first target):
    /// "helpdesk technician" as "support utilisateurs assistance technicien". Nil with fewer
    /// than two expansions in the title, where the variants above already hold it.
    private func wholeTranslation(_ titleWords: (ArraySlice<Word>) -> [String], hasHead: Bool) -> [String]? {
        let used = expansions.filter { e in (!hasHead || words[e.range.lowerBound].inHead) && !(e.titleWords.first ?? []).isEmpty }
        guard used.count >= 2 else { return nil }
        var result: [String] = []
        var i = 0
        for expansion in used {
            result += titleWords(words[i..<expansion.range.lowerBound]) + expansion.titleWords[0]
            i = expansion.range.upperBound
        }
        return result + titleWords(words[i...])
    }
}

