import MetiersModel
import MetiersSchema
import MetiersText

/// What the search reads of one card, computed once per open handle instead of once per query:
/// the card and its summary, its terms, its titles by title key, how much it is a managing
/// role, and its snippet items with, per stem, the items that contain it.
final class CardProfile {
    /// One item of a card's text a snippet can show (an appellation, a bullet, a paragraph).
    struct Item {
        var field: TermPrefix
        var text: String
        var terms: [AnalysedTerm]
        /// Prefers items dense in matched words: the field's weight per matched word, less a
        /// little per character.
        var fieldWeight: Double
        var lengthPenalty: Double
    }

    let card: Card
    let summary: Card.Summary
    /// Every term of the document, prefixes included.
    let terms: Set<String>
    /// The first title (name, then appellations, each with its variants) of each title key.
    let titleByKey: [String: String]
    /// The share of its titles that carry a managing word.
    let managing: Double
    let items: [Item]
    /// Per stem, the indices of the items that contain it.
    let itemsByStem: [String: [Int]]

    /// Snippet weight of each field.
    static let snippetFieldWeight: [TermPrefix: Double] = [.title: 3, .description: 1.5, .activites: 1.4, .savoirFaire: 1.2, .connaissances: 1, .other: 0.5]

    init(card: Card, terms: Set<String>, analyzer: FrenchAnalyzer, managingWords: Set<String>) {
        self.card = card
        summary = card.summary
        self.terms = terms
        let titles = [card.name] + card.appellations.map(\.label)
        var byKey: [String: String] = [:]
        for title in titles.flatMap(TitleKey.variants) {
            let key = TitleKey.key(TitleKey.words(of: title))
            if byKey[key] == nil { byKey[key] = title }
        }
        titleByKey = byKey
        // Every token, noise words included ("Lead developer"): a title key would drop "lead".
        let managingTitles = titles.filter { Tokenizer.tokenize($0).contains { managingWords.contains(TitleKey.normalise($0.word)) } }
        managing = Double(managingTitles.count) / Double(max(titles.count, 1))
        var items: [Item] = []
        var byStem: [String: [Int]] = [:]
        for (field, texts) in CardFields.text(of: card) {
            for text in texts where !text.isEmpty {
                let analysed = analyzer.analyse(text)
                for stem in Set(analysed.map(\.stem)) { byStem[stem, default: []].append(items.count) }
                items.append(Item(field: field, text: text, terms: analysed, fieldWeight: Self.snippetFieldWeight[field] ?? 1, lengthPenalty: Double(text.count) / 2000))
            }
        }
        self.items = items
        itemsByStem = byStem
    }

    /// The first word of the card's text with this stem, as written (`StemWords.shown`); the
    /// stem itself when the card has none.
    func word(for stem: String) -> String {
        guard let item = itemsByStem[stem]?.first.map({ items[$0] }), let term = item.terms.first(where: { $0.stem == stem }) else { return stem }
        return StemWords.written(term, in: Array(item.text.unicodeScalars)) ?? stem
    }

    /// The item with the most matched words (weighted by field, shorter first), with the
    /// matched words marked; nil when no item has one.
    func snippet(matching stems: Set<String>) -> Snippet? {
        guard !stems.isEmpty else { return nil }
        var found = [Int](repeating: 0, count: items.count)
        for stem in stems { for i in itemsByStem[stem] ?? [] { found[i] += 1 } }
        var best: (score: Double, index: Int)?
        for (i, n) in found.enumerated() where n > 0 {
            let score = Double(n) * items[i].fieldWeight - items[i].lengthPenalty
            if best == nil || score > best!.score { best = (score, i) }
        }
        guard let best else { return nil }
        let item = items[best.index]
        let highlights = item.terms.filter { stems.contains($0.stem) }.map { [$0.start, $0.end] }
        return Snippet(field: item.field.fieldName, text: item.text, highlights: highlights)
    }
}
