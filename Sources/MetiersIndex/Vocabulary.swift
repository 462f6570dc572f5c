import MetiersModel
import MetiersSchema
import MetiersText

/// A line of the vocabulary table that cannot be read, or a row that names an unknown card.
public struct VocabularyError: Error, CustomStringConvertible, Equatable {
    public var line: Int
    public var message: String
    public var description: String { "vocabulary line \(line): \(message)" }

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

/// Where a vocabulary row's alias comes from.
public enum VocabularySource: Sendable, Equatable, CustomStringConvertible {
    /// One of the referentiel's own titles (name or appellation) of a card of the row.
    case referentiel
    /// A ROME v460 appellation, with its fine métier code (`M1855`).
    case rome(code: String)
    /// Chosen by hand; the row's reason says what the term means on the job market.
    case curated

    public var description: String {
        switch self {
        case .referentiel: "referentiel"
        case .rome(let code): "rome:" + code
        case .curated: "curated"
        }
    }
}

/// One row of the vocabulary table: an alias, what it is searched as, the cards that leads to,
/// and why.
public struct VocabularyRow: Sendable, Equatable {
    /// Line of the file the row was read from.
    public var line: Int
    public var alias: String
    public var expansion: String
    /// Ids of the cards the expansion leads to.
    public var cards: [String]
    public var source: VocabularySource
    public var reason: String
}

/// The sector's synonyms and abbreviations (`Config/vocabulary.tsv`), loaded into Xapian's
/// synonym table at index time.
///
/// A tab-separated table with a header line, one row per alias:
///
///     alias	expansion	cards	source	reason
///     AMOA	assistance maîtrise d'ouvrage	consultant-en-assistance-a-la-maitrise-d-ouvrage	curated	AMOA = assistance à maîtrise d'ouvrage: …
///
/// An alias (a word or several) found in a query is also searched as its expansion. `cards` are
/// the ids of the cards the expansion leads to (comma-separated); `source` is `referentiel`,
/// `rome:CODE` (a ROME v460 title, its fine code) or `curated`; `reason` says why, in one line.
/// Blank lines are ignored. Both the alias and the expansion go through the same French
/// analysis as the cards, so accents, case, elisions and feminine forms don't matter.
public struct Vocabulary: Sendable, Equatable {
    /// The columns of the header line, in order.
    public static let columns = ["alias", "expansion", "cards", "source", "reason"]

    /// (expansion, aliases): the rows grouped by expansion, in order of first appearance, the
    /// aliases in row order. This is what the index builder loads.
    public var entries: [(expansion: String, aliases: [String])]
    /// The table's rows in file order (empty for a vocabulary built from entries).
    public var rows: [VocabularyRow]

    public init(entries: [(expansion: String, aliases: [String])] = []) {
        self.entries = entries
        self.rows = []
    }

    public init(rows: [VocabularyRow]) {
        var entries: [(expansion: String, aliases: [String])] = []
        var position: [String: Int] = [:]
        for row in rows {
            if let i = position[row.expansion] {
                entries[i].aliases.append(row.alias)
            } else {
                position[row.expansion] = entries.count
                entries.append((row.expansion, [row.alias]))
            }
        }
        self.entries = entries
        self.rows = rows
    }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool {
        a.rows == b.rows
            && a.entries.elementsEqual(b.entries) { $0.expansion == $1.expansion && $0.aliases == $1.aliases }
    }

    /// Parses the table's text. Errors name the file line and what is wrong with it.
    public static func parse(_ text: String) throws(VocabularyError) -> Vocabulary {
        // Split on the bytes: "\r\n" is one Character, which a split on "\n" would miss.
        let lines: [Substring] = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { bytes in
            let line = Substring(bytes)
            return line.utf8.last == UInt8(ascii: "\r") ? Substring(line.utf8.dropLast()) : line
        }
        var header = lines.first ?? ""
        if header.unicodeScalars.first == "\u{FEFF}" { header = Substring(header.unicodeScalars.dropFirst()) }
        let names = header.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        guard names == columns else {
            let found = header.trimmingWhitespace
            var message = "expected the header '\(columns.joined(separator: "<TAB>"))', found \"\(found.count > 80 ? found.prefix(80) + "…" : found)\""
            if header.hasPrefix("#") || header.contains("=") {
                message += " (the former vocabulary.txt format, 'expansion = alias, alias', is no longer read: one row per alias now)"
            }
            throw VocabularyError(line: 1, message: message)
        }
        var rows: [VocabularyRow] = []
        var seen: [String: Int] = [:]
        var cardsOf: [String: (cards: [String], line: Int)] = [:]
        for (index, line) in lines.enumerated().dropFirst() {
            let number = index + 1
            if line.trimmingWhitespace.isEmpty { continue }
            let row = try parseRow(line, number: number)
            let key = Folding.fold(row.alias) + "\t" + Folding.fold(row.expansion)
            if let first = seen[key] {
                throw VocabularyError(line: number, message: "'\(row.alias)' → '\(row.expansion)' is already on line \(first)")
            }
            seen[key] = number
            if let earlier = cardsOf[row.expansion] {
                guard earlier.cards == row.cards else {
                    throw VocabularyError(line: number, message: "cards '\(row.cards.joined(separator: ","))' differ from line \(earlier.line)'s '\(earlier.cards.joined(separator: ","))' for the same expansion '\(row.expansion)'")
                }
            } else {
                cardsOf[row.expansion] = (row.cards, number)
            }
            rows.append(row)
        }
        return Vocabulary(rows: rows)
    }

    private static func parseRow(_ line: Substring, number: Int) throws(VocabularyError) -> VocabularyRow {
        func fail(_ message: String) -> VocabularyError { VocabularyError(line: number, message: message) }
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        guard fields.count == columns.count else {
            throw fail("expected \(columns.count) tab-separated columns (\(columns.joined(separator: ", "))), found \(fields.count)")
        }
        let (alias, expansion, cardList, sourceText, reason) = (fields[0], fields[1], fields[2], fields[3], fields[4])
        guard !alias.isEmpty else { throw fail("empty alias") }
        guard !expansion.isEmpty else { throw fail("empty expansion for the alias '\(alias)'") }
        let cards = cardList.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        guard !cardList.isEmpty else { throw fail("no card for the alias '\(alias)' (the cards column lists the ids the expansion leads to)") }
        for card in cards where !isCardID(card) {
            throw fail("'\(card)' is not a card id (lower-case letters and digits joined by '-', comma-separated)")
        }
        guard Set(cards).count == cards.count else { throw fail("a card appears twice in '\(cardList)'") }
        let source: VocabularySource
        switch sourceText {
        case "referentiel": source = .referentiel
        case "curated": source = .curated
        case _ where sourceText.hasPrefix("rome:"):
            let code = String(sourceText.dropFirst(5))
            guard RomeMetier.isValidCode(code) else {
                throw fail("malformed ROME code '\(code)' in the source (expected rome: and a letter A–N with four digits, like rome:M1855)")
            }
            source = .rome(code: code)
        default:
            throw fail("unknown source '\(sourceText)' (expected referentiel, rome:CODE or curated)")
        }
        guard !reason.isEmpty else { throw fail("empty reason for the alias '\(alias)'") }
        return VocabularyRow(line: number, alias: alias, expansion: expansion, cards: cards, source: source, reason: reason)
    }

    /// True for a card id: the slug of a card's name (`chef-de-projet`).
    static func isCardID(_ value: String) -> Bool {
        guard !value.isEmpty, !value.hasPrefix("-"), !value.hasSuffix("-"), !value.contains("--") else { return false }
        return value.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// Checks the `cards` column against the card store: a row naming an id no card has is an
    /// error, located at its line.
    public func validate(cardIDs: Set<String>) throws(VocabularyError) {
        for row in rows {
            for card in row.cards where !cardIDs.contains(card) {
                throw VocabularyError(line: row.line, message: "unknown card '\(card)' for the alias '\(row.alias)'")
            }
        }
    }

    /// The aliases as titles the suggester offers, in row order: each with the first card of
    /// its row (the one the expansion leads to first), and its fine ROME code when the row
    /// comes from ROME.
    public var storedTitles: [StoredTitle] {
        rows.map { row in
            var code: String?
            if case .rome(let c) = row.source { code = c }
            return StoredTitle(title: row.alias, card: row.cards.first, rome: code)
        }
    }

    /// The content, for the index version.
    public var fingerprint: String {
        entries.map { $0.expansion + "=" + $0.aliases.joined(separator: ",") }.joined(separator: "\n")
    }

    /// Synonym pairs as Xapian stores them, in two forms: for text, key = the alias's stems
    /// joined by spaces, synonyms = the expansions' stems; for title matching, key = "=" and
    /// the alias's title words (`TitleKey.normalise`), synonyms = the expansions' title words.
    func synonymEntries(analyzer: FrenchAnalyzer) -> [(String, [String])] {
        var table: [String: [String]] = [:]
        var order: [String] = []
        func add(_ key: String, _ target: String) {
            guard !key.isEmpty, !target.isEmpty, key != target else { return }
            if table[key] == nil { order.append(key) }
            if !(table[key]?.contains(target) ?? false) { table[key, default: []].append(target) }
        }
        for (expansion, aliases) in entries {
            let stems = analyzer.analyse(expansion).map(\.stem).joined(separator: " ")
            let words = Vocabulary.titleWords(expansion).joined(separator: " ")
            for alias in aliases {
                add(analyzer.analyse(alias).map(\.stem).joined(separator: " "), stems)
                let aliasWords = Vocabulary.titleWords(alias).joined(separator: " ")
                if !aliasWords.isEmpty { add(SynonymKey.titlePrefix + aliasWords, words) }
            }
        }
        return order.map { ($0, table[$0]!) }
    }

    /// The words of a vocabulary phrase in title form: folded, function words out, normalised.
    public static func titleWords(_ text: String) -> [String] {
        Tokenizer.tokenize(text).map(\.word).filter { !FrenchWords.isStopword($0) }.map(TitleKey.normalise)
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
