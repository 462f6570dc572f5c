import MetiersSchema
import MetiersText

/// Stage 1 of the search, text → what the query asks for: its syntax, its content words with
/// their stems and title forms, where its title is, the vocabulary's expansions, spelling
/// corrections and the role it names. The text is analysed once; every later stage reads this.
struct QueryAnalysis {
    var parsed: QueryText
    var plan: QueryPlan
    /// The corrected query, when unknown words were replaced by a spelling suggestion.
    var didYouMean: String?
    /// Stems of corrected words: guesses, counted half in coverage.
    var correctedStems: Set<String>
    /// The query is a posting or a description (many content words), not a title.
    var isPosting: Bool
    /// The words that name the job: the whole query for a title, the head or the words after
    /// a recruiting marker for a posting, nothing for a posting without either.
    var hasTitle: Bool
    /// How much the query names a managing role, in [0, 1] (see `SearchIndex.managing`).
    var managing: Double
}

extension SearchIndex {
    /// Longest head (in content words) read as a posting's title.
    static let maximumHeadWords = PostingHead.maximumTitleWords

    /// Content words of a query that take part in the search (the rest of a longer text is left out).
    static let maximumQueryWords = 300

    /// Longest vocabulary alias looked up, in words.
    static let maximumAliasWords = 3

    func analyse(_ request: SearchRequest) throws -> QueryAnalysis {
        let parsed: QueryText
        do {
            parsed = try QueryText.parse(request.text, syntax: request.querySyntax)
        } catch {
            throw SearchError.querySyntax(error.description)
        }
        var tokens = parsed.allWords
        let content = tokens.filter { !FrenchWords.isStopword($0.word) }
        guard !content.isEmpty else { throw SearchError.emptyQuery }
        let (isPosting, title) = postingShape(request.text, tokens: tokens, content: content)
        // A posting whose title follows an introduction ("Société de services de 250 personnes,
        // nous accompagnons… Coach agile : vous…") is the job from its title on. A title at the
        // text's start has none before it: the introduction is looked for only otherwise.
        if isPosting, options.leadIns, let title, title.lowerBound > 0,
            case let start = PostingHead.introductionEnd(of: request.text, tokens: tokens), start > 0, title.lowerBound >= start
        {
            tokens = tokens.filter { $0.start >= start }
        }
        let unexpanded = isPosting ? lowercaseAcronyms(request.text, tokens: tokens, title: title) : []
        var plan = try self.plan(tokens, title: title, isPosting: isPosting, unexpanded: unexpanded)
        var didYouMean: String?
        var correctedStems = Set<String>()
        // Postings carry enough words; spelling is for titles and short queries.
        if options.spelling && !isPosting {
            let corrections = try spellingCorrections(plan)
            if !corrections.isEmpty {
                for i in tokens.indices { if let fix = corrections[tokens[i].position] { tokens[i].word = fix } }
                didYouMean = tokens.map(\.word).joined(separator: " ")
                plan = try self.plan(tokens, title: title, isPosting: isPosting, unexpanded: unexpanded)
                correctedStems = Set(plan.words.filter { corrections[$0.token.position] != nil }.map(\.stem))
            }
        }
        let hasTitle = !isPosting || plan.words.contains { $0.inHead }
        return QueryAnalysis(
            parsed: parsed, plan: plan, didYouMean: didYouMean, correctedStems: correctedStems, isPosting: isPosting,
            hasTitle: hasTitle, managing: managing(tokens: tokens, title: title, isPosting: isPosting))
    }

    /// Whether the text is a posting, and where its title is: a text of `postingWords` content
    /// words or more; or a shorter one whose head ends in a colon or a line break and is
    /// followed by at least `postingBodyWords` content words that are not posting noise
    /// ("Comptable H/F : saisie et contrôle des écritures"). A colon announces a body; a dash
    /// or a bar also joins the parts of a title ("Développeur Java - CDI - Villeurbanne", ROME's
    /// "Consultant ERP - Enterprise Resource Planning"), which stays a title whose head is the
    /// job and whose other parts are details: where, for whom, on what terms.
    func postingShape(_ text: String, tokens: [Token], content: [Token]) -> (isPosting: Bool, title: Range<Int>?) {
        let retrieval = model.retrieval
        // Gender, contract and place marks make no posting of a title ("Product Manager (H/F) -
        // CDI - Lyon - Télétravail partiel").
        let words = options.noiseFilter ? content.filter { !JobNoise.isTitleNoise($0.word) }.count : content.count
        if words >= retrieval.postingWords { return (true, titleRange(of: text, tokens: tokens)) }
        let details = titleBeforeDetails(text, content: content)
        guard words > retrieval.postingBodyWords, let head = titleRange(of: text, tokens: tokens) else { return (false, details) }
        guard let separator = text.unicodeScalars.dropFirst(head.upperBound).first, separator == ":" || separator == "\n" else { return (false, details) }
        let body = content.filter { $0.start > head.upperBound && !JobNoise.isPostingNoise($0.word) }
        return body.count >= retrieval.postingBodyWords ? (true, head) : (false, details)
    }

    /// A title's job, when parts after it are details: the text up to the trailing parts (after
    /// a dash, a bar, a colon) that name nothing a title names, only noise and words no card,
    /// ROME title or vocabulary alias writes ("Développeur Java - CDI - Villeurbanne",
    /// "Chef de projet MOE | Capgemini"). Nil when no part is such: ROME's "Consultant ERP -
    /// Enterprise Resource Planning" is a title throughout.
    func titleBeforeDetails(_ text: String, content: [Token]) -> Range<Int>? {
        guard options.titleDetails else { return nil }
        let scalars = Array(text.unicodeScalars)
        var end: Int?
        for separator in PostingHead.separators(in: scalars[...]).reversed() {
            let part = content.filter { $0.start > separator && $0.start < (end ?? Int.max) }
            guard part.allSatisfy({ JobNoise.isTitleNoise($0.word) || !isTitleWord($0.word) }) else { break }
            end = separator
        }
        // Before the details, a job: a part that names something.
        guard let end, content.contains(where: { $0.end <= end && !JobNoise.isTitleNoise($0.word) && isTitleWord($0.word) }) else { return nil }
        return 0..<end
    }

    /// Where a posting's title is. With lead-ins off, the old rule: the text before the first
    /// separator, whatever it says.
    func titleRange(of text: String, tokens: [Token]) -> Range<Int>? {
        if options.leadIns { return PostingHead.title(of: text, tokens: tokens) }
        return PostingHead.separator(in: Array(text.unicodeScalars.prefix(PostingHead.window))).map { 0..<$0 }
    }

    /// True for an alias written as an acronym that spells a word: one word of two or more
    /// capital letters and nothing else ("SI", "SAP"; not "N1", "Scrum" or "tech lead").
    static func isAcronym(_ alias: String) -> Bool {
        alias.unicodeScalars.count >= 2 && alias.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) }
    }

    /// The positions of a posting's body words that spell one of the vocabulary's `acronyms`
    /// in small letters: prose writes an acronym in capitals ("le SI commercial"), so "si" in
    /// "escalade vers N3 si besoin" is the conjunction and expands to nothing. A title, and a
    /// posting's head, are typed in any case ("chef de projet si"): their words are not read so.
    func lowercaseAcronyms(_ text: String, tokens: [Token], title: Range<Int>?) -> Set<UInt32> {
        let candidates = tokens.filter { acronyms.contains($0.word) && !(title?.contains($0.start) ?? false) }.sorted { $0.start < $1.start }
        guard !candidates.isEmpty else { return [] }
        // One pass over the text up to the last candidate, reading only the candidates' letters.
        var found = Set<UInt32>()
        var scalars = text.unicodeScalars.makeIterator()
        var offset = 0
        for token in candidates where token.start >= offset {
            while offset < token.start, scalars.next() != nil { offset += 1 }
            var capitals = true
            while offset < token.end, let scalar = scalars.next() {
                capitals = capitals && scalar.properties.isUppercase
                offset += 1
            }
            if !capitals { found.insert(token.position) }
        }
        return found
    }

    /// The content words (noise left out), the title words marked, and the vocabulary's
    /// expansions (none for a word at one of the `unexpanded` positions).
    func plan(_ tokens: [Token], title: Range<Int>?, isPosting: Bool, unexpanded: Set<UInt32> = []) throws -> QueryPlan {
        let content = tokens.filter { !FrenchWords.isStopword($0.word) }
        // Titles lose only their gender, seniority and contract marks; postings also lose pay,
        // places and recruiting phrases. A word of a vocabulary alias is the sector's term, not
        // noise: "lead" of "tech lead" or "test lead" stays, as "lead" of "Lead Java" does not.
        let noise = content.map { options.noiseFilter && (isPosting ? JobNoise.isPostingNoise($0.word) : JobNoise.isTitleNoise($0.word)) }
        let vouched = options.synonyms ? try aliasWords(content, among: noise) : []
        var kept = content.indices.filter { !noise[$0] || vouched.contains($0) }
        // A title made only of noise ("Stage", "Lead") is still searched.
        if kept.isEmpty { kept = Array(content.indices) }
        // A very long text is read up to a bound: its first words say what the job is.
        var words = kept.prefix(Self.maximumQueryWords).map { word(content[$0]) }
        if let title {
            let head = words.indices.filter { title.contains(words[$0].token.start) }
            if !head.isEmpty && head.count <= Self.maximumHeadWords {
                for i in head { words[i].inHead = true }
            }
        }
        let expansions = options.synonyms ? try self.expansions(of: words).filter { e in
            e.range.count > 1 || !unexpanded.contains(words[e.range.lowerBound].token.position)
        } : []
        return QueryPlan(words: words, expansions: expansions)
    }

    /// A token as a query word: its stem and title form.
    func word(_ token: Token) -> QueryPlan.Word {
        QueryPlan.Word(
            token: token, stem: analyzer.stem(token.word), titleWord: TitleKey.normalise(token.word),
            masculineTitleWord: TitleKey.masculineReading(token.word), inHead: false)
    }

    /// The indices of the tokens that belong to a run the vocabulary knows and that holds one
    /// of the `flagged` tokens (runs as `expansions` finds them: up to `maximumAliasWords`
    /// words, the longest first). Only a flagged word some alias has costs lookups ("lead",
    /// not "vous" or "senior"), and only the first `maximumQueryWords` of them: a text made of
    /// "lead" a hundred thousand times is read no further than the search reads.
    func aliasWords(_ tokens: [Token], among flagged: [Bool]) throws -> Set<Int> {
        var found = Set<Int>()
        var checked = 0
        for j in tokens.indices where flagged[j] && !found.contains(j) && vocabularyWords.contains(tokens[j].word) {
            checked += 1
            if checked > Self.maximumQueryWords { break }
            // The words every run through j is made of, each analysed once.
            let lower = max(0, j - Self.maximumAliasWords + 1)
            let window = tokens[lower..<min(tokens.count, j + Self.maximumAliasWords)].map(word)
            runs: for length in stride(from: min(Self.maximumAliasWords, tokens.count), through: 1, by: -1) {
                for start in max(0, j - length + 1)...min(j, tokens.count - length)
                where try aliasTargets(window[(start - lower)..<(start - lower + length)]) != nil {
                    found.formUnion(start..<(start + length))
                    break runs
                }
            }
        }
        return found
    }

    /// What the vocabulary expands `run` to: by its stems, and by its words as a title; nil
    /// when it knows the run neither way.
    func aliasTargets(_ run: ArraySlice<QueryPlan.Word>) throws -> (stems: [String], titles: [String])? {
        let stems = try synonyms(of: run.map(\.stem).joined(separator: " "))
        let titles = try synonyms(of: SynonymKey.titlePrefix + run.map(\.titleWord).joined(separator: " "))
        return stems.isEmpty && titles.isEmpty ? nil : (stems, titles)
    }

    /// Runs of up to `maximumAliasWords` words the vocabulary knows, longest first, and what
    /// each expands to.
    func expansions(of words: [QueryPlan.Word]) throws -> [QueryPlan.Expansion] {
        var expansions: [QueryPlan.Expansion] = []
        var i = 0
        while i < words.count {
            var length = min(Self.maximumAliasWords, words.count - i)
            while length >= 1 {
                if let (stems, titles) = try aliasTargets(words[i..<(i + length)]) {
                    expansions.append(QueryPlan.Expansion(
                        range: i..<(i + length),
                        stems: stems.map { $0.split(separator: " ").map(String.init) },
                        titleWords: titles.map { $0.split(separator: " ").map(String.init) }))
                    break
                }
                length -= 1
            }
            i += max(length, 1)
        }
        return expansions
    }

    /// True for a word some title writes: a card's name or appellation, a ROME title, a
    /// vocabulary alias. A title or a short query is corrected only into such a word: the
    /// spelling data is every word of the cards' prose, and "oracle" is no typo of "orale"
    /// ("communication orale"), nor "datastage" of "davantage".
    func isTitleWord(_ word: String) -> Bool {
        let key = TitleKey.normalise(word)
        return romeTitleWords.contains(key) || (rome?.titleWords.contains(key) ?? false) || vocabularyWords.contains(word)
    }

    /// Unknown words (no field, vocabulary entry or ROME title has them) → Xapian's spelling
    /// suggestion, by token position. Short words are too easily "corrected" into another
    /// word: none under 5 letters, one edit under 8, two from 8.
    func spellingCorrections(_ plan: QueryPlan) throws -> [UInt32: String] {
        let expanded = plan.expandedIndices
        var corrections: [UInt32: String] = [:]
        for (i, word) in plan.words.enumerated() where !expanded.contains(i) {
            guard try !known(word.token.word) else { continue }
            let length = word.token.word.unicodeScalars.count
            guard length >= 5 else { continue }
            if let suggestion = try database.spellingSuggestion(for: word.token.word, maxEditDistance: length >= 8 ? 2 : 1),
                suggestion != word.token.word, !FrenchWords.isStopword(suggestion), isTitleWord(suggestion)
            {
                corrections[word.token.position] = suggestion
            }
        }
        return corrections
    }

    /// 1 when the query's title names a managing role (manager, responsable, head, lead,
    /// directeur, chef…: noise words such as "lead" count here); for a posting whose title does
    /// not, 0.5 when its text speaks of managing people (encadrement, management); else 0.
    func managing(tokens: [Token], title: Range<Int>?, isPosting: Bool) -> Double {
        let titleTokens = isPosting ? tokens.filter { title?.contains($0.start) ?? false } : tokens
        let managingWords = Set(model.role.managingWords)
        if titleTokens.contains(where: { managingWords.contains(TitleKey.normalise($0.word)) }) { return 1 }
        let bodyWords = Set(model.role.managingBodyWords)
        if isPosting && tokens.contains(where: { bodyWords.contains(TitleKey.normalise($0.word)) }) { return 0.5 }
        return 0
    }
}
