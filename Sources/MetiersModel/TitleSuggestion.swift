/// One title offered for a prefix (the `suggest` operation): as its source writes it, with the
/// card it leads to (null for a ROME title of another trade), that card's famille, a ROME code,
/// and where the title comes from.
public struct TitleSuggestion: Codable, Equatable, Sendable {
    /// Where a title comes from, best first (see `TitleSuggester.Ranking` in MetiersSearch).
    public enum Source: String, Codable, Sendable {
        /// A card's name or one of its appellations.
        case referentiel
        /// A ROME v460 appellation.
        case rome
        /// An alias of the vocabulary table (`Config/vocabulary.tsv`).
        case vocabulary
    }

    /// The title as its source writes it.
    public var title: String
    /// The card it leads to; nil for a ROME title of another trade.
    @ExplicitNull public var card: String?
    /// The card's famille; nil without a card.
    @ExplicitNull public var famille: String?
    /// Its ROME code: the fine code of a ROME title or of a ROME row of the vocabulary, else the
    /// first code of its card; nil when there is none.
    @ExplicitNull public var rome: String?
    public var source: Source

    public init(title: String, card: String?, famille: String?, rome: String?, source: Source) {
        self.title = title
        self.card = card
        self.famille = famille
        self.rome = rome
        self.source = source
    }
}
