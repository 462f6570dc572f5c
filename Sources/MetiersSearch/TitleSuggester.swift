import MetiersModel
import MetiersSchema
import MetiersText

/// Title typeahead: a prefix of one or more words → the best-matching job titles.
///
/// Made once when an index opens, from the cards (names and appellations), the vocabulary's
/// aliases and the ROME appellations with their attribution, then never changed (safe to share
/// between threads). Titles are folded like everything else (`Tokenizer`: case, accents,
/// elisions, inclusive endings; `TitleKey.normalise`: feminine and plural forms), function words
/// left out; two titles that fold to the same words are one suggestion, from the best source.
///
/// Every word of every title is a key of one sorted array (with its raw folded form and its
/// feminine forms, so that a half-typed "développeu" or "administratri" finds it): each query
/// word is a binary search, and the narrowest drives. All query words but the last must be whole
/// words of the title, in any order; the last is a prefix of one. Ranking: see `Ranking`.
public final class TitleSuggester: Sendable {
    /// The order of suggestions, in one place. No weight is fitted: each rule is an order,
    /// applied one after the other (the first that tells two titles apart decides).
    public struct Ranking: Sendable, Equatable {
        /// 1. A title the query starts (its words are the title's first words, in order) before a
        /// title that merely contains them: people type a title from its start.
        public var titleStartFirst = true
        /// 1b. Within the same tier, when the query carries accents, a title that writes those
        /// words as typed before one that matches only once accents are folded: "dév" is French
        /// being typed ("Développeur"), not "Development", and "sécu" is "sécurité", not
        /// "Security". A query typed without accents keeps every title on an equal footing.
        public var accentsAsTypedFirst = true
        /// 2. Sources, most authoritative first: the referentiel's own titles, then the ROME
        /// titles the index attributes to a card, then the vocabulary's aliases (often
        /// abbreviations and jargon), then the ROME titles of other trades (13,000 titles, none
        /// of which leads to a card).
        public var sourceOrder: [Kind] = [.referentiel, .romeAttributed, .vocabulary, .romeOther]
        /// 3. ROME's own "rarely used" flag: within a source, the common title first.
        public var rarelyUsedLast = true
        // 4. Fewer words, then fewer characters (the general title before its specialisations:
        // "Développeur" before "Développeur web mobile"), then alphabetical order of the folded
        // title, so that the order is total and stable.

        /// What rule 2 orders.
        public enum Kind: Sendable, Equatable { case referentiel, romeAttributed, vocabulary, romeOther }

        public init() {}
        public static let standard = Ranking()
    }

    /// A suggestion with what matching reads.
    struct Entry: Sendable {
        var suggestion: TitleSuggestion
        /// The title's content words, folded and normalised, in order, without repeats.
        var words: [String]
        /// Every form of every word (normalised, as written, feminine) with its word's index.
        var forms: [(form: String, position: Int32)]
        /// The title's folded words as written, function words included, one space apart.
        var spelled: String
        /// The title's words that carry accents, as written (lower case), one space apart: rule
        /// 1b. One string (most fit in a String's inline storage) rather than an array of them.
        var accented: String
        /// Position in the static order (rules 2–4): lower is better.
        var rank: Int32
    }

    /// Every title of every source, each with its kind (rule 2) and whether ROME flags it rarely
    /// used, in the order that decides which of two titles folding alike is kept within a source.
    static func candidates(cards: [Card], vocabulary: [StoredTitle], rome: [StoredTitle]) -> [(TitleSuggestion, Ranking.Kind, Bool)] {
        let byId = Dictionary(cards.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let ordered = cards.sorted { ($0.page, $0.id) < ($1.page, $1.id) }
        var candidates: [(TitleSuggestion, Ranking.Kind, Bool)] = []
        func summary(_ title: String, card: String?, rome code: String?, source: TitleSuggestion.Source) -> TitleSuggestion {
            let c = card.flatMap { byId[$0] }
            return TitleSuggestion(title: title, card: c?.id ?? card, famille: c?.famille, rome: code ?? c?.rome.first, source: source)
        }
        // The cards' own names first, then their appellations (a title on several cards goes
        // to the card it names, then to the first in the Sommaire's order).
        for card in ordered { candidates.append((summary(card.name, card: card.id, rome: nil, source: .referentiel), .referentiel, false)) }
        // Each label also stands for its alternatives and its form without a parenthesis
        // (`TitleKey.variants`: "Ingénieur progiciel / Ingénieur intégration" is two titles).
        for card in ordered {
            for a in card.appellations {
                for title in TitleKey.variants(of: a.label) {
                    candidates.append((summary(title, card: card.id, rome: nil, source: .referentiel), .referentiel, false))
                }
            }
        }
        for t in rome {
            let kind: Ranking.Kind = t.card == nil ? .romeOther : .romeAttributed
            candidates.append((summary(t.title, card: t.card, rome: t.rome, source: .rome), kind, t.rarelyUsed))
        }
        for t in vocabulary { candidates.append((summary(t.title, card: t.card, rome: t.rome, source: .vocabulary), .vocabulary, false)) }
        return candidates
    }

    /// Rules 2–4 of `Ranking` for one title, compared in that order.
    struct StaticOrder {
        var source: Int
        var rare: Bool
        var words: Int
        var length: Int
        var folded: String

        func precedes(_ b: StaticOrder) -> Bool {
            if source != b.source { return source < b.source }
            if rare != b.rare { return !rare }
            if words != b.words { return words < b.words }
            if length != b.length { return length < b.length }
            return folded < b.folded
        }
    }

    /// One form of one word of one title: the form, the entry, the index of the word in the
    /// entry's `words`.
    typealias Key = (form: String, entry: Int32, position: Int32)

    let entries: [Entry]
    /// Sorted by form (then entry): the binary search's array.
    let keys: [Key]
    public let ranking: Ranking

    /// Most suggestions one query returns.
    public static let maximumLimit = 20

    public var count: Int { entries.count }

    /// `cards` give their names and appellations; `vocabulary` and `rome` are the titles the
    /// index stores (`StoredTitles`), ROME's with their card when attributed.
    public init(cards: [Card], vocabulary: [StoredTitle], rome: [StoredTitle], ranking: Ranking = .standard) {
        self.ranking = ranking
        var candidates = Self.candidates(cards: cards, vocabulary: vocabulary, rome: rome)
        let order = Dictionary(ranking.sourceOrder.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        // By rule 2, and stable: within a source, the order of `candidates`.
        candidates = candidates.enumerated().sorted { (order[$0.element.1] ?? Int.max, $0.offset) < (order[$1.element.1] ?? Int.max, $1.offset) }.map(\.element)

        // One entry per folded title: the first, from the best source.
        var seen = Set<String>()
        var built: [Entry] = []
        var orders: [StaticOrder] = []
        var feminine: [String: [String]] = [:]
        var lowerCased: [Substring: String?] = [:]
        for (suggestion, kind, rare) in candidates {
            let tokens = Tokenizer.tokenize(suggestion.title).map(\.word)
            let words = Self.titleWords(tokens)
            guard !words.isEmpty else { continue }
            let folded = words.joined(separator: " ")
            guard seen.insert(folded).inserted else { continue }
            let forms = Self.forms(of: tokens, words: words) { word in
                if let known = feminine[word] { return known }
                let made = FrenchWords.feminineForms(of: word)
                feminine[word] = made
                return made
            }
            let entry = Entry(
                suggestion: suggestion, words: words, forms: forms, spelled: tokens.joined(separator: " "),
                accented: Self.accentedWords(suggestion.title) { word in
                    if let known = lowerCased[word] { return known }
                    let made = Self.contentWordInLowerCase(word)
                    lowerCased[word] = made
                    return made
                }.joined(separator: " "), rank: 0)
            built.append(entry)
            orders.append(StaticOrder(
                source: order[kind] ?? Int.max, rare: rare && ranking.rarelyUsedLast, words: words.count,
                length: suggestion.title.unicodeScalars.count, folded: folded))
        }
        // Rules 2–4 as one static rank.
        let ranked = built.indices.sorted { orders[$0].precedes(orders[$1]) }
        var entries: [Entry] = []
        entries.reserveCapacity(ranked.count)
        for (rank, i) in ranked.enumerated() {
            var entry = built[i]
            entry.rank = Int32(rank)
            entries.append(entry)
        }
        var keys: [Key] = []
        for (e, entry) in entries.enumerated() {
            keys += entry.forms.map { (form: $0.form, entry: Int32(e), position: $0.position) }
        }
        keys.sort { ($0.form, $0.entry, $0.position) < ($1.form, $1.entry, $1.position) }
        self.entries = entries
        self.keys = keys
    }

    /// The content words of `text` that carry a letter beyond ASCII (an accent, a ligature),
    /// as written but in lower case: what rule 1b compares. Function words are left out.
    /// `lowerCased` reads a word in lower case, nil for a function word (the suggester's build
    /// memoises it: the same words recur across 13,000 titles).
    static func accentedWords(_ text: String, lowerCased: (Substring) -> String? = contentWordInLowerCase) -> [String] {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return [] }
        // Split on scalars, not Characters: grapheme breaking cost most of the suggester's
        // build. Combining marks are not separators, so a decomposed accent stays in its word.
        let scalars = text.unicodeScalars
        var words: [String] = []
        var start = scalars.startIndex
        var accented = false
        for i in scalars.indices {
            if Self.separates(scalars[i]) {
                if accented, start < i, let word = lowerCased(Substring(scalars[start..<i])) { words.append(word) }
                start = scalars.index(after: i)
                accented = false
            } else if !scalars[i].isASCII {
                accented = true
            }
        }
        if accented, start < scalars.endIndex, let word = lowerCased(Substring(scalars[start...])) { words.append(word) }
        return words
    }

    /// A scalar between words: ASCII other than a letter or a digit, or a space, punctuation
    /// or symbol beyond ASCII (’ « – and the like).
    private static func separates(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            return !((0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v))
        }
        switch scalar.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control, .format,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// `word` in lower case, nil for a function word ("à", "où").
    static func contentWordInLowerCase(_ word: Substring) -> String? {
        let lower = word.lowercased()
        return FrenchWords.isStopword(Folding.fold(lower)) ? nil : lower
    }

    /// The content words of a title's folded tokens: function words out, masculine singular,
    /// each once.
    static func titleWords(_ tokens: [String]) -> [String] {
        var words: [String] = []
        for token in tokens where !FrenchWords.isStopword(token) {
            let word = TitleKey.normalise(token)
            if !words.contains(word) { words.append(word) }
        }
        return words
    }

    /// The forms a title's words are found by: each normalised word, its feminine forms, and
    /// the word as the title writes it when that differs ("développeuse" of "développeur").
    static func forms(of tokens: [String], words: [String], feminine: (String) -> [String]) -> [(form: String, position: Int32)] {
        var result: [(form: String, position: Int32)] = []
        func add(_ form: String, _ p: Int) {
            if !result.contains(where: { $0.form == form && $0.position == Int32(p) }) { result.append((form, Int32(p))) }
        }
        for (p, word) in words.enumerated() {
            add(word, p)
            for f in feminine(word) { add(f, p) }
        }
        for token in tokens where !FrenchWords.isStopword(token) {
            if let p = words.firstIndex(of: TitleKey.normalise(token)) { add(token, p) }
        }
        return result
    }

    /// What a title must have for a query: each query word, whole or as a prefix, in order.
    enum Constraint {
        case whole(String)
        case prefix(String)
    }

    /// A query read for matching.
    struct ParsedQuery {
        /// Every word but the last: whole words, normalised; function words left out.
        var whole: [String]
        /// The last word, a prefix (folded, not normalised: it may be cut anywhere).
        var prefix: String?
        /// The prefix may be a function word being typed ("chef d" of "chef de projet"): titles
        /// without a word that starts so come too.
        var prefixOptional: Bool
        /// The folded words as typed, function words included, one space apart: a title whose
        /// own words start so is one the query starts (`Ranking.titleStartFirst`).
        var spelled: String
        /// The words before the last as typed (not normalised), for the abbreviated reading.
        var typed: [String]
        /// The query's words typed with accents (`accentedWords`): rule 1b.
        var accented: TypedAccents
    }

    /// The words a query types with accents, and whether it types them with combining marks
    /// (decomposed, e + U+0301) rather than composed letters.
    struct TypedAccents {
        var words: [String]
        var decomposed: Bool

        init(_ query: String) {
            words = TitleSuggester.accentedWords(query)
            decomposed = query.unicodeScalars.contains { (0x300...0x36F).contains($0.value) }
        }
    }

    static func parse(_ query: String) -> ParsedQuery {
        let tokens = Tokenizer.tokenize(query)
        var whole: [String] = []
        var typed: [String] = []
        for token in tokens.dropLast() where !FrenchWords.isStopword(token.word) {
            let w = TitleKey.normalise(token.word)
            if !whole.contains(w) {
                whole.append(w)
                typed.append(token.word)
            }
        }
        let prefix = tokens.last?.word
        let optional = prefix.map { p in FrenchWords.stopwords.contains { $0.hasPrefix(p) } } ?? false
        return ParsedQuery(
            whole: whole, prefix: prefix, prefixOptional: optional, spelled: tokens.map(\.word).joined(separator: " "), typed: typed,
            accented: TypedAccents(query))
    }

    /// How a title matched, worst last: the first part of a score.
    enum Tier: Int64 {
        /// The title starts with the query: its first words are the query's, the last one
        /// completed (or its words as written start with the words typed).
        case startsTitle = 0
        /// The title has all the query's words.
        case contains = 1
        /// The title has all but the last, a function word being typed.
        case withoutPrefix = 2
    }

    /// The best titles for `query`, at most `limit` (clamped to 1…`maximumLimit`); empty when
    /// nothing matches, nil when the query has no word (only signs or spaces).
    ///
    /// When no title has the words before the last as whole words, they are read as
    /// abbreviations too ("dév web": every word a prefix), rather than answer nothing.
    public func suggest(_ query: String, limit: Int) -> [TitleSuggestion]? {
        let q = Self.parse(query)
        guard let p = q.prefix else { return nil }
        var best = TopK(limit: min(max(limit, 1), Self.maximumLimit))
        collect(q.whole.map(Constraint.whole) + [.prefix(p)], tier: nil, query: q, into: &best)
        if q.prefixOptional && !q.whole.isEmpty { collect(q.whole.map(Constraint.whole), tier: .withoutPrefix, query: q, into: &best) }
        if best.isEmpty && !q.typed.isEmpty { collect(q.typed.map(Constraint.prefix) + [.prefix(p)], tier: nil, query: q, into: &best) }
        return best.sorted().map { entries[Int($0.entry)].suggestion }
    }

    /// Offers to `best` every title that meets all the constraints. `tier`: the tier of a title
    /// that does not start with the query (nil: `contains`, and `startsTitle` for one that does).
    private func collect(_ constraints: [Constraint], tier fallback: Tier?, query: ParsedQuery, into best: inout TopK) {
        // The narrowest constraint drives: its range's keys meet it (at the key's position).
        var driver: (range: Range<Int>, constraint: Int)?
        for (i, c) in constraints.enumerated() {
            let r: Range<Int>
            switch c {
            case .whole(let w): r = wordRange(w)
            case .prefix(let p): r = prefixRange(p)
            }
            if r.isEmpty { return }
            if driver == nil || r.count < driver!.range.count { driver = (r, i) }
        }
        guard let driver else { return }
        for k in driver.range {
            let key = keys[k]
            let e = Int(key.entry)
            // Even as a title the query starts (written as typed), it would not make the list.
            guard best.wouldTake(Int64(entries[e].rank)) else { continue }
            let asTyped = !ranking.accentsAsTypedFirst || writesAsTyped(entries[e], query.accented)
            let order = (asTyped ? 0 : 1 << 32) | Int64(entries[e].rank)
            guard asTyped || best.wouldTake(order) else { continue }
            var leads = true
            var meets = true
            for (i, c) in constraints.enumerated() {
                if i == driver.constraint {
                    leads = leads && key.position == Int32(i)
                    continue
                }
                switch c {
                case .whole(let w):
                    let words = entries[e].words
                    guard words.contains(w) else { meets = false; break }
                    leads = leads && i < words.count && words[i] == w
                case .prefix(let p):
                    let forms = entries[e].forms
                    guard forms.contains(where: { $0.form.utf8.starts(with: p.utf8) }) else { meets = false; break }
                    leads = leads && forms.contains { $0.position == Int32(i) && $0.form.utf8.starts(with: p.utf8) }
                }
                if !meets { break }
            }
            guard meets else { continue }
            let starts = (leads && fallback == nil) || entries[e].spelled.utf8.starts(with: query.spelled.utf8)
            let tier: Tier = starts && ranking.titleStartFirst ? .startsTitle : fallback ?? .contains
            best.offer(entry: Int32(e), score: tier.rawValue << 33 | order)
        }
    }

    /// Rule 1b: each word typed with accents starts a word the title writes (canonical
    /// equivalence: composed and decomposed accents are alike).
    private func writesAsTyped(_ entry: Entry, _ accented: TypedAccents) -> Bool {
        if accented.words.isEmpty { return true }
        if entry.accented.isEmpty { return false }
        return accented.words.allSatisfy { typed in
            var rest = entry.accented[...]
            while !rest.isEmpty {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                let word = rest[..<end]
                // Bytes first (titles and typed text are composed, NFC, in practice); with
                // combining marks typed, String's comparison, which treats composed and
                // decomposed accents alike.
                if word.utf8.starts(with: typed.utf8) || (accented.decomposed && word.hasPrefix(typed)) { return true }
                rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
            }
            return false
        }
    }

    /// The keys whose form starts with `prefix`.
    func prefixRange(_ prefix: String) -> Range<Int> {
        run(from: prefix) { $0.utf8.starts(with: prefix.utf8) }
    }

    /// The keys whose form is `word`.
    func wordRange(_ word: String) -> Range<Int> {
        run(from: word) { $0 == word }
    }

    /// The keys from the first at or after `form` while `holds` (true then false from there:
    /// found by a second binary search).
    private func run(from form: String, while holds: (String) -> Bool) -> Range<Int> {
        let lower = lowerBound(form)
        var upper = lower
        var hi = keys.count
        while upper < hi {
            let mid = (upper + hi) / 2
            if holds(keys[mid].form) { upper = mid + 1 } else { hi = mid }
        }
        return lower..<upper
    }

    private func lowerBound(_ form: String) -> Int {
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if keys[mid].form < form { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// The best `limit` entries seen, by score (lower is better), each once.
struct TopK {
    let limit: Int
    private var items: [(entry: Int32, score: Int64)] = []

    init(limit: Int) {
        self.limit = limit
        items.reserveCapacity(limit + 1)
    }

    /// False when an entry of this score would not enter the list.
    func wouldTake(_ score: Int64) -> Bool {
        items.count < limit || score < items[items.count - 1].score
    }

    mutating func offer(entry: Int32, score: Int64) {
        if items.count == limit, let last = items.last, score >= last.score { return }
        if let i = items.firstIndex(where: { $0.entry == entry }) {
            guard score < items[i].score else { return }
            items.remove(at: i)
        }
        let at = items.firstIndex { score < $0.score } ?? items.count
        items.insert((entry, score), at: at)
        if items.count > limit { items.removeLast() }
    }

    var isEmpty: Bool { items.isEmpty }

    func sorted() -> [(entry: Int32, score: Int64)] { items }
}
