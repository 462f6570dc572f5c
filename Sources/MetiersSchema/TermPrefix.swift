/// The one table of term prefixes, following Omega's conventions: `Q` for the unique id term,
/// `X…` for metiers' own fields. Text fields hold stemmed terms; boolean fields hold exact
/// values for filtering.
public enum TermPrefix: String, CaseIterable, Sendable {
    /// Unique id term: `Qconcepteur-developpeur`.
    case id = "Q"
    /// Boolean: famille, as its slug (`XFproduction`).
    case famille = "XF"
    /// Boolean: sous-famille, as its slug (`XSinfrastructure`).
    case sousFamille = "XS"
    /// Boolean: ROME code (`XRM1805`). On a card, its own codes and the fine codes of the ROME
    /// appellations attributed to it; in the ROME database, the appellation's fine code.
    case rome = "XR"
    /// Boolean, ROME database: the appellation's older-generation parent code (`XGM1805`).
    case romeParent = "XG"
    /// Boolean, ROME database: the card the appellation is attributed to (`XYconcepteur-developpeur`).
    case romeCard = "XY"

    /// Text: the card's name and appellations (own list, English list, correspondence table).
    case title = "XT"
    /// Title key: one term per name or appellation, its content stems sorted and joined by
    /// "_" (`XEaffair_ingenieur`): an exact title match whatever the word order.
    case titleKey = "XE"
    /// Text: the ROME appellations attributed to the card (wider vocabulary, weighted below
    /// the card's own titles).
    case romeTitle = "XM"
    /// Title key of a ROME appellation attributed to the card (as `XE`, weighted lower).
    case romeTitleKey = "XW"
    /// Text: activités principales and spécifiques.
    case activites = "XA"
    /// Text: description synthétique.
    case description = "XD"
    /// Text: savoir-faire.
    case savoirFaire = "XK"
    /// Text: connaissances.
    case connaissances = "XC"
    /// Text: everything else (variabilité, conditions d'exercice, pré-requis, formations,
    /// certifications, parcours).
    case other = "XO"

    /// The text fields, in the order results explain them.
    public static let textFields: [TermPrefix] = [.title, .activites, .description, .savoirFaire, .connaissances, .other, .romeTitle]

    /// The field's name in explanations (`"title"`, `"activites"` …).
    public var fieldName: String {
        switch self {
        case .id: "id"
        case .famille: "famille"
        case .sousFamille: "sous_famille"
        case .rome: "rome"
        case .romeParent: "rome_parent"
        case .romeCard: "rome_card"
        case .romeTitle: "rome_title"
        case .romeTitleKey: "rome_title_key"
        case .title: "title"
        case .titleKey: "title_key"
        case .activites: "activites"
        case .description: "description"
        case .savoirFaire: "savoir_faire"
        case .connaissances: "connaissances"
        case .other: "other"
        }
    }

    /// The prefix and field of a prefixed term, longest prefix first.
    public static func split(_ term: String) -> (TermPrefix, String)? {
        for prefix in allCases where prefix.rawValue.count == 2 && term.hasPrefix(prefix.rawValue) {
            return (prefix, String(term.dropFirst(2)))
        }
        if term.hasPrefix("Q") { return (.id, String(term.dropFirst())) }
        return nil
    }
}

/// Value slots.
public enum ValueSlot: UInt32, Sendable {
    /// The famille's name.
    case famille = 0
    /// The sous-famille's name ("" when none).
    case sousFamille = 1
    /// ROME codes joined by ",".
    case rome = 2
}

/// Synonym table keys.
public enum SynonymKey {
    /// Prefix of the title-form synonym keys (`=` and the alias's title words).
    public static let titlePrefix = "="
}

/// Database metadata keys.
public enum MetadataKey {
    /// Index schema version: a reader refuses a database whose schema it does not know.
    public static let schema = "metiers.schema"
    /// Version of the indexed content: changes whenever a card or the vocabulary changes.
    public static let indexVersion = "metiers.index_version"
    /// When the index was built (ISO 8601, UTC).
    public static let builtAt = "metiers.built_at"
    /// Number of cards indexed.
    public static let cardCount = "metiers.card_count"
    /// Every word of every title key, space-separated: the words a title can match on.
    public static let titleWords = "metiers.title_words"
    /// Every word of the title keys of the ROME appellations attributed to cards (`XW`).
    public static let romeTitleWords = "metiers.rome_title_words"
    /// The version directory of the build (`v<nanoseconds>`), under which the ROME database
    /// sits (`<root>/<build>/rome`).
    public static let buildDirectory = "metiers.build_dir"
    /// The older-generation ROME codes the cards carry, space-separated.
    public static let cardRomeCodes = "metiers.card_rome_codes"
    /// ROME database: every métier as JSON (`[{"code","label","parent"}]`).
    public static let romeMetiers = "metiers.rome_metiers"
    /// ROME database: the ROME version ("460").
    public static let romeVersion = "metiers.rome_version"
    /// The ranking model the index was built with (`Config/ranking-model.json`), as JSON.
    public static let rankingModel = "metiers.ranking_model"
    /// The vocabulary table's aliases as titles the suggester offers (`StoredTitles`).
    public static let vocabularyTitles = "metiers.vocabulary_titles"
    /// ROME database: every appellation as a title the suggester offers, with its fine code and
    /// its card (`StoredTitles`); one metadata read instead of 13,000 documents at open.
    public static let romeTitles = "metiers.rome_titles"
}

/// The schema this code writes and reads.
public let indexSchemaVersion = "2"
