import MetiersModel
import MetiersText

/// Builds the 36 cards from the text of the OPIIEC "Référentiel métiers des activités de
/// l'Informatique" (`Index/referentiel-metiers-informatique.txt`, a PDF converted to text).
///
/// The text is read in three parts:
/// 1. the Sommaire, which names every card, its famille and its page, in order (it is the only
///    reliable source of names: four cards lack their "Emploi Type : NAME" header);
/// 2. the correspondence table of "appellations courantes", which spells the familles, gives the
///    sous-familles and maps common titles to emploi-types;
/// 3. the cards, one after the other in Sommaire order, each a fixed sequence of headings from
///    "Activités principales" to "Code(s) ROME".
///
/// Conversion debris is dropped on the way: bullet glyphs, markdown `**`, "Version : 4" lines,
/// the "Emploi type : NAME" headers repeated on a card's second page, the "Qualités requises"
/// block (its levels were pictures). Any departure from the expected structure is an
/// ``ImportError`` naming the line; the importer never traps on malformed input.
public enum ReferentielImporter {
    /// Number of emploi-types in the referentiel; any other count in the Sommaire is an error.
    public static let cardCount = 36

    /// Imports every card of the referentiel, in Sommaire order.
    /// - Parameter text: the whole referentiel text.
    /// - Returns: ``cardCount`` cards.
    /// - Throws: ``ImportError`` on any structural problem: missing Sommaire or table, wrong
    ///   card count, a missing or misplaced heading, a name that matches no card, a malformed
    ///   ROME code, truncated text…
    public static func cards(fromText text: String) throws(ImportError) -> [Card] {
        let lines = SourceLine.lines(of: text)
        let sommaire = try Sommaire(lines: lines)
        let names = EmploiTypeNames(sommaire.entries)
        let table = try CorrespondenceTable(lines: lines, searchFrom: sommaire.endIndex, names: names)
        let classification = try table.classify(sommaire)

        let passerelleNames = PasserelleNames(
            names: names, classification: classification, ids: sommaire.entries.map(\.id))
        var cards: [Card] = []
        cards.reserveCapacity(sommaire.entries.count)
        var index = table.endIndex
        for (position, entry) in sommaire.entries.enumerated() {
            var reader = CardReader(lines: lines, index: index, entry: entry)
            let body = try reader.readCard()
            index = reader.index
            cards.append(Card(
                id: entry.id,
                name: entry.name,
                famille: classification[position].famille,
                sousFamille: classification[position].sousFamille,
                page: entry.page,
                appellations: body.courantes.map { Appellation(label: $0, source: .courante) }
                    + body.anglais.map { Appellation(label: $0, source: .anglais) }
                    + table.rows.filter { $0.cardID == entry.id }.map { Appellation(label: $0.appellation, source: .table) },
                activitesPrincipales: body.activitesPrincipales,
                activitesSpecifiques: body.activitesSpecifiques,
                descriptionSynthetique: body.descriptionSynthetique,
                savoirFaire: body.savoirFaire,
                connaissances: body.connaissances,
                variabilite: body.variabilite,
                conditionsExercice: body.conditionsExercice,
                prerequis: body.prerequis,
                formations: body.formations,
                certifications: body.certifications,
                parcours: body.parcours,
                passerelles: try passerelleNames.passerelles(origines: body.origines, evolutions: body.evolutions, of: entry),
                rome: body.rome))
        }

        if let extra = CardReader.firstMeaningfulLine(in: lines, from: index) {
            throw ImportError(
                line: extra.number,
                expected: "end of text after the last card '\(sommaire.entries.last?.id ?? "")'",
                found: ImportError.quoted(extra.text))
        }
        return cards
    }
}

// MARK: - Lines

/// One line of the text, numbered from 1, with the forms the parsers compare.
struct SourceLine {
    /// 1-based line number.
    let number: Int
    /// The line as written, without its line break (tabs kept: the table and Sommaire use them).
    let raw: Substring
    /// Without markdown `**`, whitespace collapsed, trimmed.
    let text: String
    /// The card heading the line is, if any.
    let heading: Heading?
    /// The page furniture the line is, if any.
    let furniture: PageFurniture?

    init(number: Int, raw: Substring) {
        self.number = number
        self.raw = raw
        text = SourceLine.collapsed(raw)
        heading = Heading(text: text)
        furniture = PageFurniture(text: text)
    }

    /// `Folding.slug(text)`: how names are compared.
    var key: String { Folding.slug(text) }

    var isBlank: Bool { text.isEmpty }

    /// Whether the line is a list item: "- ◆ X", "- X", "◆ X", "▪ X", "• X".
    var isBullet: Bool {
        guard let first = text.unicodeScalars.first else { return false }
        if first == "-" {
            let second = text.unicodeScalars.dropFirst().first
            return second == nil || second == " "
        }
        return SourceLine.isBulletGlyph(first)
    }

    /// The lines of `text`, split on "\n" (a "\r" before it is dropped).
    static func lines(of text: String) -> [SourceLine] {
        var lines: [SourceLine] = []
        for (offset, piece) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let raw = piece.last == UInt8(ascii: "\r") ? Substring(piece.dropLast()) : Substring(piece)
            lines.append(SourceLine(number: offset + 1, raw: raw))
        }
        return lines
    }

    static func isBulletGlyph(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "◆" || scalar == "▪" || scalar == "•"
    }

    /// `text` without markdown `**`, every run of whitespace turned into one space, trimmed.
    static func collapsed(_ text: some StringProtocol) -> String {
        let scalars = text.unicodeScalars
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let next = scalars.index(after: index)
            if scalar == "*", next < scalars.endIndex, scalars[next] == "*" {
                index = scalars.index(after: next)
                continue
            }
            index = next
            if isWhitespace(scalar) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(scalar)
        }
        return String(out)
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09...0x0D: true
        case 0...0x7F: false
        default: scalar.properties.isWhitespace
        }
    }

    /// The content of a list item or prose line: leading bullets ("- ", "◆", "▪", "•") removed,
    /// stray bullet glyphs inside the text dropped.
    static func content(of text: String) -> String {
        var rest = Substring(text).unicodeScalars
        while let first = rest.first {
            if first == "-" {
                let second = rest.dropFirst().first
                guard second == nil || second == " " else { break }
            } else if !isBulletGlyph(first) {
                break
            }
            rest = rest.dropFirst().drop(while: { $0 == " " })
        }
        guard rest.contains(where: isBulletGlyph) else { return String(Substring(rest)) }
        var cleaned = String.UnicodeScalarView()
        for scalar in rest { cleaned.append(isBulletGlyph(scalar) ? " " : scalar) }
        return collapsed(String(cleaned))
    }
}

/// A line that belongs to the page layout, not to a card's content.
enum PageFurniture: Equatable {
    /// "Version : 4".
    case version
    /// "Emploi type : NAME" (first-page or repeated second-page header), possibly after
    /// "Version : 4" on the same line; `id` is the slug of NAME.
    case header(id: String)

    init?(text: String) {
        var rest = Substring(text)
        if let afterVersion = PageFurniture.afterLabel("version", in: rest) {
            guard let space = afterVersion.firstIndex(of: " ") else {
                self = .version
                return
            }
            rest = afterVersion[afterVersion.index(after: space)...]
        }
        guard let name = PageFurniture.afterLabel("emploi type", in: rest) else { return nil }
        self = .header(id: Folding.slug(String(name)))
    }

    /// The text after "LABEL :" at the start of `text` (an ASCII label, matched without case),
    /// nil when `text` does not start so.
    private static func afterLabel(_ label: String, in text: Substring) -> Substring? {
        var rest = text.utf8[...]
        for expected in label.utf8 {
            guard let byte = rest.first, byte | 0x20 == expected else { return nil }
            rest = rest.dropFirst()
        }
        rest = rest.drop(while: { $0 == UInt8(ascii: " ") })
        guard rest.first == UInt8(ascii: ":") else { return nil }
        return Substring(rest.dropFirst().drop(while: { $0 == UInt8(ascii: " ") }))
    }
}

// MARK: - Sommaire

/// One card as the Sommaire lists it.
struct SommaireEntry {
    let name: String
    let id: String
    let page: Int
    /// The famille heading the card is listed under, as the Sommaire writes it ("CONSEIL").
    let famille: String
    /// Line of that famille heading.
    let familleLine: Int
    /// Line of the entry.
    let line: Int
}

/// The table of contents: "Sommaire", then lines "N. Fiches emploi-type de la famille F<TAB>p. P"
/// each followed by "• NAME.....<TAB>p. P" entries, up to the first blank line.
struct Sommaire {
    let entries: [SommaireEntry]
    /// Index in the line array just past the Sommaire.
    let endIndex: Int

    init(lines: [SourceLine]) throws(ImportError) {
        guard let start = lines.firstIndex(where: { $0.key == "sommaire" }) else {
            throw ImportError(
                line: lines.last?.number ?? 0, expected: "a \"Sommaire\" line", found: ImportError.endOfText)
        }
        var entries: [SommaireEntry] = []
        var famille: (name: String, line: Int)?
        var index = start + 1
        while index < lines.count, lines[index].isBlank { index += 1 }
        while index < lines.count, !lines[index].isBlank {
            let line = lines[index]
            index += 1
            if let name = Sommaire.familleName(line) {
                famille = (name, line.number)
                continue
            }
            guard line.text.hasPrefix("•") else { continue }  // "1. Préambule	p. 3" and the like
            guard let famille else {
                throw ImportError(
                    line: line.number,
                    expected: "a \"Fiches emploi-type de la famille …\" line before the first emploi-type of the Sommaire",
                    found: ImportError.quoted(line.text))
            }
            entries.append(try Sommaire.entry(line, famille: famille))
        }
        guard entries.count == ReferentielImporter.cardCount else {
            let expected = "\(ReferentielImporter.cardCount) emploi-types in the Sommaire (from line \(start + 1))"
            guard index < lines.count else {
                throw ImportError(line: lines.last?.number ?? 0, expected: expected, found: ImportError.endOfText)
            }
            throw ImportError(line: lines[index].number, expected: expected, found: "\(entries.count)")
        }
        var seen: Set<String> = []
        for entry in entries {
            guard seen.insert(entry.id).inserted else {
                throw ImportError(
                    line: entry.line, expected: "a Sommaire name not listed before",
                    found: ImportError.quoted(entry.name))
            }
        }
        self.entries = entries
        self.endIndex = index
    }

    /// The famille of a line "N. Fiches emploi-type de la famille CONSEIL<TAB>p. 9", nil for
    /// any other line.
    private static func familleName(_ line: SourceLine) -> String? {
        let title = line.raw.split(separator: "\t", omittingEmptySubsequences: false).first ?? line.raw
        guard let marker = title.firstRange(of: "Fiches emploi-type de la famille ") else { return nil }
        let name = SourceLine.collapsed(title[marker.upperBound...])
        return name.isEmpty ? nil : name
    }

    /// Parses "• Consultant métier.....<TAB>p.11".
    private static func entry(_ line: SourceLine, famille: (name: String, line: Int)) throws(ImportError) -> SommaireEntry {
        let malformed = ImportError(
            line: line.number, expected: "a Sommaire entry \"• NAME<TAB>p. PAGE\"",
            found: ImportError.quoted(line.text))
        guard let tab = line.raw.lastIndex(of: "\t") else { throw malformed }
        var name = SourceLine.collapsed(line.raw[..<tab])
        name = String(SourceLine.content(of: name).reversed().drop(while: { $0 == "." || $0 == " " }).reversed())
        let pageField = SourceLine.collapsed(line.raw[line.raw.index(after: tab)...])
        guard pageField.hasPrefix("p."),
              let page = Int(pageField.dropFirst(2).drop(while: { $0 == " " })), page > 0,
              !Folding.slug(name).isEmpty
        else { throw malformed }
        return SommaireEntry(
            name: name, id: Folding.slug(name), page: page,
            famille: famille.name, familleLine: famille.line, line: line.number)
    }
}

// MARK: - Name resolution

/// Finds which card a name written somewhere in the referentiel stands for: exactly the Sommaire
/// name (by id), else the same content words ("Responsable de production" for "Responsable
/// production"), else one unique close spelling ("Chargé méthode outils et audité").
struct EmploiTypeNames {
    private let ids: Set<String>
    private let byContentWords: [String: String]
    private let contentWords: [(id: String, words: [UInt8])]

    init(_ entries: [SommaireEntry]) {
        ids = Set(entries.map(\.id))
        var byContentWords: [String: String] = [:]
        for entry in entries {
            let words = EmploiTypeNames.contentWords(entry.name)
            if byContentWords[words] == nil { byContentWords[words] = entry.id }
        }
        self.byContentWords = byContentWords
        contentWords = entries.map { ($0.id, Array(EmploiTypeNames.contentWords($0.name).utf8)) }
    }

    /// The id of the card `name` stands for, nil when it is none of them.
    func cardID(named name: String) -> String? {
        let id = Folding.slug(name)
        if ids.contains(id) { return id }
        let words = EmploiTypeNames.contentWords(name)
        guard !words.isEmpty else { return nil }
        if let id = byContentWords[words] { return id }
        return closeSpelling(of: Array(words.utf8))
    }

    /// Minimum share of characters two content-word strings must have in common (1 minus edit
    /// distance over the longer length) to count as one name misspelt.
    private static let minimumSimilarity = 0.85

    private func closeSpelling(of words: [UInt8]) -> String? {
        var best: (id: String, distance: Int)?
        var bestIsUnique = false
        for candidate in contentWords {
            let longest = max(words.count, candidate.words.count)
            let allowed = Int(Double(longest) * (1 - EmploiTypeNames.minimumSimilarity))
            guard abs(words.count - candidate.words.count) <= allowed,
                  let distance = EmploiTypeNames.editDistance(words, candidate.words, atMost: allowed)
            else { continue }
            if let current = best, current.distance <= distance {
                if current.distance == distance { bestIsUnique = false }
                continue
            }
            best = (candidate.id, distance)
            bestIsUnique = true
        }
        return bestIsUnique ? best?.id : nil
    }

    /// Words that do not tell emploi-types apart.
    private static let stopWords: Set<Substring> = ["a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les"]

    /// The name's words, folded, without stop words, without a plural "s":
    /// "Chargé des méthodes outils et qualité" → "charge methode outil qualite".
    static func contentWords(_ name: String) -> String {
        Folding.slug(name).split(separator: "-")
            .filter { !stopWords.contains($0) }
            .map { $0.count > 3 && $0.hasSuffix("s") ? $0.dropLast() : $0 }
            .joined(separator: " ")
    }

    /// Levenshtein distance of `a` and `b`, nil when above `limit`.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], atMost limit: Int) -> Int? {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) <= limit ? max(a.count, b.count) : nil }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}

// MARK: - Correspondence table

/// The table "Appellation<TAB>Emploi-type<TAB>Sous-famille<TAB>Famille<TAB>Page", one row per
/// common title, up to the first blank line.
struct CorrespondenceTable {
    struct Row {
        let line: Int
        let appellation: String
        let cardID: String
        let sousFamille: String
        let famille: String
    }

    /// Famille and sous-famille of one card, spelled as in the table.
    struct Classification {
        let famille: String
        let sousFamille: String?
    }

    let rows: [Row]
    /// Index in the line array just past the table.
    let endIndex: Int

    private static let columns = ["appellation", "emploi-type", "sous-famille", "famille", "page"]
    private static let header = "\"Appellation<TAB>Emploi-type<TAB>Sous-famille<TAB>Famille<TAB>Page\""

    init(lines: [SourceLine], searchFrom start: Int, names: EmploiTypeNames) throws(ImportError) {
        guard let headerIndex = lines.indices.dropFirst(start).first(where: { index in
            lines[index].raw.contains("\t") && lines[index].raw.split(separator: "\t", omittingEmptySubsequences: false)
                .map { Folding.slug(String($0)) } == CorrespondenceTable.columns
        }) else {
            throw ImportError(
                line: lines.last?.number ?? 0,
                expected: "the correspondence table header \(CorrespondenceTable.header) after the Sommaire",
                found: ImportError.endOfText)
        }
        var rows: [Row] = []
        var index = headerIndex + 1
        while index < lines.count, !lines[index].isBlank {
            let line = lines[index]
            index += 1
            let fields = line.raw.split(separator: "\t", omittingEmptySubsequences: false).map { SourceLine.collapsed($0) }
            guard fields.count == CorrespondenceTable.columns.count, !fields[0].isEmpty, !fields[1].isEmpty, !fields[3].isEmpty else {
                throw ImportError(
                    line: line.number,
                    expected: "a correspondence table row of 5 tab-separated columns (\(CorrespondenceTable.header), only Sous-famille may be empty)",
                    found: ImportError.quoted(line.raw))
            }
            // Checked, not used: one row gives a wrong page, so rows are matched by name only.
            guard Int(fields[4]) != nil else {
                throw ImportError(
                    line: line.number, expected: "a page number in the Page column of the correspondence table",
                    found: ImportError.quoted(fields[4]))
            }
            guard let cardID = names.cardID(named: fields[1]) else {
                throw ImportError(
                    line: line.number,
                    expected: "an emploi-type of the Sommaire in the Emploi-type column of the correspondence table",
                    found: ImportError.quoted(fields[1]))
            }
            rows.append(Row(
                line: line.number, appellation: fields[0], cardID: cardID,
                sousFamille: fields[2], famille: fields[3]))
        }
        guard !rows.isEmpty else {
            throw ImportError(
                line: index < lines.count ? lines[index].number : lines[headerIndex].number,
                expected: "rows under the correspondence table header",
                found: index < lines.count ? ImportError.quoted(lines[index].text) : ImportError.endOfText)
        }
        self.rows = rows
        self.endIndex = index
    }

    /// Famille and sous-famille of every Sommaire entry, in order: the famille spelled as the
    /// table spells it, the sous-famille of the card's rows (nil where they give none).
    func classify(_ sommaire: Sommaire) throws(ImportError) -> [Classification] {
        var familleSpelling: [String: String] = [:]
        for row in rows where familleSpelling[Folding.slug(row.famille)] == nil {
            familleSpelling[Folding.slug(row.famille)] = row.famille
        }
        var result: [Classification] = []
        for entry in sommaire.entries {
            guard let famille = familleSpelling[Folding.slug(entry.famille)] else {
                throw ImportError(
                    line: entry.familleLine,
                    expected: "famille \"\(entry.famille)\" of the Sommaire in the correspondence table",
                    found: "no row of that famille")
            }
            var sousFamille: String?
            for row in rows where row.cardID == entry.id {
                guard Folding.slug(row.famille) == Folding.slug(entry.famille) else {
                    throw ImportError(
                        line: row.line,
                        expected: "famille \"\(famille)\" for '\(entry.id)' (as in the Sommaire)",
                        found: ImportError.quoted(row.famille))
                }
                guard !row.sousFamille.isEmpty else { continue }
                if let earlier = sousFamille, earlier != row.sousFamille {
                    throw ImportError(
                        line: row.line,
                        expected: "sous-famille \"\(earlier)\" for '\(entry.id)' (as in an earlier row)",
                        found: ImportError.quoted(row.sousFamille))
                }
                sousFamille = row.sousFamille
            }
            result.append(Classification(famille: famille, sousFamille: sousFamille))
        }
        return result
    }
}

// MARK: - Passerelles

/// One paragraph under "Origines possibles" or "Évolutions possibles": usually one name, possibly
/// wrapped over several lines ("Responsable des" / "opérations"), sometimes several names on
/// consecutive lines ("Concepteur développeur" / "Consultant technique /" / …).
struct PasserelleParagraph {
    let lines: [SourceLine]
}

/// Turns passerelle paragraphs into card ids.
///
/// A paragraph names a card (see ``EmploiTypeNames``), a whole famille or sous-famille
/// ("Famille : Conseil", "Sous-famille : Infrastructure": every card of it but the card itself),
/// or a destination the referentiel has no card for ("Marketing", "Directeur général"…), which
/// gives no id. Anything else is an ``ImportError``.
struct PasserelleNames {
    let names: EmploiTypeNames
    /// Card ids by famille key and by sous-famille key, in Sommaire order.
    private let familles: [String: [String]]
    private let sousFamilles: [String: [String]]

    /// Destinations named in passerelles that are not emploi-types of the referentiel, by key.
    static let outsideReferentiel: Set<String> = [
        "directeur-de-filiale", "directeur-general", "gestions-des-fournisseurs-ou-des-achats",
        "management", "marketing", "metiers-transverses", "responsable-marketing",
        "toutes-fonctions-de-responsabilites",
    ]

    /// Short forms used in passerelles for one card, by key: "Expert" is the one expert card.
    static let shortForms: [String: String] = ["expert": "expert-infrastructure"]

    init(names: EmploiTypeNames, classification: [CorrespondenceTable.Classification], ids: [String]) {
        self.names = names
        var familles: [String: [String]] = [:]
        var sousFamilles: [String: [String]] = [:]
        for (id, group) in zip(ids, classification) {
            familles[Folding.slug(group.famille), default: []].append(id)
            if let sousFamille = group.sousFamille {
                sousFamilles[Folding.slug(sousFamille), default: []].append(id)
            }
        }
        self.familles = familles
        self.sousFamilles = sousFamilles
    }

    /// The passerelles of a card from its two lists of paragraphs.
    func passerelles(origines: [PasserelleParagraph], evolutions: [PasserelleParagraph], of entry: SommaireEntry) throws(ImportError) -> Passerelles {
        let from = try resolve(origines, of: entry, list: "origines possibles")
        let to = try resolve(evolutions, of: entry, list: "évolutions possibles")
        return Passerelles(origines: from.ids, evolutions: to.ids, autresOrigines: from.others, autresEvolutions: to.others)
    }

    /// Card ids of the paragraphs, and the labels that are not one card, in order, without repeats.
    private func resolve(_ paragraphs: [PasserelleParagraph], of entry: SommaireEntry, list: String) throws(ImportError) -> (ids: [String], others: [String]) {
        var ids: [String] = []
        var others: [String] = []
        for paragraph in paragraphs {
            for found in try resolve(paragraph, of: entry, list: list) {
                for id in found.ids where !ids.contains(id) { ids.append(id) }
                if let label = found.label, !others.contains(label) { others.append(label) }
            }
        }
        return (ids, others)
    }

    /// What one name stands for: card ids, and the label as written when it is not one card.
    struct Destination {
        var ids: [String]
        var label: String?
    }

    /// The whole paragraph as one name first, else each of its lines as one name.
    private func resolve(_ paragraph: PasserelleParagraph, of entry: SommaireEntry, list: String) throws(ImportError) -> [Destination] {
        let whole = paragraph.lines.map(\.text).joined(separator: " ")
        if let found = destination(whole, of: entry) { return [found] }
        var result: [Destination] = []
        for line in paragraph.lines {
            guard let found = destination(line.text, of: entry) else {
                throw ImportError(
                    line: line.number,
                    expected: "an emploi-type, famille or sous-famille of the referentiel in the \(list) of card '\(entry.id)'",
                    found: ImportError.quoted(paragraph.lines.count > 1 ? whole : line.text))
            }
            result.append(found)
        }
        return result
    }

    /// What one name stands for; nil when the name is unknown.
    private func destination(_ name: String, of entry: SommaireEntry) -> Destination? {
        let key = Folding.slug(name)
        let label = name.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if PasserelleNames.outsideReferentiel.contains(key) { return Destination(ids: [], label: label) }
        if let id = PasserelleNames.shortForms[key] { return Destination(ids: [id]) }
        if let group = groupMembers(key) { return Destination(ids: group.filter { $0 != entry.id }, label: label) }
        return names.cardID(named: name).map { Destination(ids: [$0]) }
    }

    /// Members of "Famille : X" / "Sous-famille : X" (looked up in the named kind first, then in
    /// the other: the referentiel writes "Sous-famille : Etudes et développement" for a famille).
    private func groupMembers(_ key: String) -> [String]? {
        for (prefix, first, second) in [("sous-famille-", sousFamilles, familles), ("famille-", familles, sousFamilles)]
        where key.hasPrefix(prefix) {
            let group = String(key.dropFirst(prefix.count))
            return first[group] ?? second[group]
        }
        return nil
    }
}

// MARK: - Cards

/// The headings of a card, in the order they appear.
enum Heading: CaseIterable {
    case autresAppellations, appellationsCourantes, appellationsAnglais
    case activitesPrincipales, activitesSpecifiques, descriptionSynthetique, savoirFaire, connaissances
    case qualitesRequises, variabilite, typeEntreprise, sectoriel
    case conditionsExercice, liaisons, lieuDeTravail, prerequis
    case formations, principalesFormations, certifications, parcours
    case passerelles, origines, evolutions, rome

    /// As the referentiel prints it (bullet glyph left out).
    var title: String {
        switch self {
        case .autresAppellations: "Autres appellations"
        case .appellationsCourantes: "Appellations courantes :"
        case .appellationsAnglais: "Appellations en Anglais :"
        case .activitesPrincipales: "Activités principales"
        case .activitesSpecifiques: "Activités spécifiques"
        case .descriptionSynthetique: "Description synthétique"
        case .savoirFaire: "Savoir-faire"
        case .connaissances: "Connaissances"
        case .qualitesRequises: "Qualités requises"
        case .variabilite: "Variabilité de l'emploi"
        case .typeEntreprise: "Type d'entreprise"
        case .sectoriel: "Sectoriel"
        case .conditionsExercice: "Conditions d'exercice"
        case .liaisons: "1. Liaisons - relations"
        case .lieuDeTravail: "2. Lieu(x) de travail"
        case .prerequis: "Pré requis d'accès à l'emploi"
        case .formations: "Formations"
        case .principalesFormations: "Principales formations"
        case .certifications: "Certifications :"
        case .parcours: "Parcours dans l'emploi"
        case .passerelles: "Passerelles"
        case .origines: "Origines possibles"
        case .evolutions: "Évolutions possibles"
        case .rome: "Code(s) ROME"
        }
    }

    /// What the heading introduces, for messages ("after the savoir-faire of card …").
    var section: String {
        switch self {
        case .autresAppellations, .variabilite, .conditionsExercice, .formations, .passerelles:
            "the \"\(title)\" heading"
        case .appellationsCourantes: "the appellations courantes"
        case .appellationsAnglais: "the appellations en anglais"
        case .typeEntreprise: "the variabilité by type d'entreprise"
        case .sectoriel: "the sectoriel variabilité"
        case .liaisons: "the liaisons - relations"
        case .lieuDeTravail: "the lieu(x) de travail"
        case .prerequis: "the pré-requis"
        case .certifications: "the certifications"
        case .evolutions: "the passerelles"
        case .rome: "the ROME codes"
        default: "the " + title.lowercased()
        }
    }

    private static let byKey: [String: Heading] = Dictionary(
        allCases.map { (Folding.slug($0.title), $0) }, uniquingKeysWith: { first, _ in first })

    /// The heading a line's text is, if any (a list item is never a heading).
    init?(text: String) {
        // The longest title is 32 bytes; no need to fold a paragraph to know it is none.
        guard text.utf8.count <= 64, !text.hasPrefix("-"), let heading = Heading.byKey[Folding.slug(text)] else {
            return nil
        }
        self = heading
    }
}

/// What a card's own text gives, before names are resolved.
struct CardBody {
    var courantes: [String] = []
    var anglais: [String] = []
    var activitesPrincipales: [String] = []
    var activitesSpecifiques: [String] = []
    var descriptionSynthetique = ""
    var savoirFaire: [String] = []
    var connaissances: [String] = []
    var variabilite = Variabilite(typeEntreprise: "", sectoriel: "")
    var conditionsExercice = ConditionsExercice(liaisonsExternes: "", liaisonsInternes: "", lieuDeTravail: "")
    var prerequis = ""
    var formations: [String] = []
    var certifications: [String] = []
    var parcours = ""
    var origines: [PasserelleParagraph] = []
    var evolutions: [PasserelleParagraph] = []
    var rome: [String] = []
}

/// Reads one card from its first line to the end of its "Code(s) ROME" list.
struct CardReader {
    let lines: [SourceLine]
    /// Next line to read.
    private(set) var index: Int
    let entry: SommaireEntry
    /// The last heading read, for messages.
    private var previous: Heading?

    init(lines: [SourceLine], index: Int, entry: SommaireEntry) {
        self.lines = lines
        self.index = index
        self.entry = entry
    }

    mutating func readCard() throws(ImportError) -> CardBody {
        var card = CardBody()
        accept(.autresAppellations)
        if accept(.appellationsCourantes) { card.courantes = Self.list(body()) }
        if accept(.appellationsAnglais) { card.anglais = Self.list(body()) }
        try expect(.activitesPrincipales)
        card.activitesPrincipales = Self.list(body())
        try expect(.activitesSpecifiques)
        card.activitesSpecifiques = Self.list(body())
        try expect(.descriptionSynthetique)
        card.descriptionSynthetique = Self.prose(body())
        try expect(.savoirFaire)
        card.savoirFaire = Self.list(body())
        try expect(.connaissances)
        card.connaissances = Self.list(body())
        try expect(.qualitesRequises)
        _ = body()  // its levels were pictures: only "Niveaux :" and a legend are left
        try expect(.variabilite)
        try expect(.typeEntreprise)
        card.variabilite.typeEntreprise = Self.prose(body())
        try expect(.sectoriel)
        card.variabilite.sectoriel = Self.prose(body())
        try expect(.conditionsExercice)
        try expect(.liaisons)
        (card.conditionsExercice.liaisonsExternes, card.conditionsExercice.liaisonsInternes) = try liaisons()
        try expect(.lieuDeTravail)
        card.conditionsExercice.lieuDeTravail = Self.prose(body())
        try expect(.prerequis)
        card.prerequis = Self.prose(body())
        try expect(.formations)
        try expect(.principalesFormations)
        card.formations = Self.list(body())
        try expect(.certifications)
        card.certifications = Self.list(body())
        try expect(.parcours)
        card.parcours = Self.prose(body())
        try expect(.passerelles)
        try expect(.origines)
        card.origines = Self.paragraphs(body())
        try expect(.evolutions)
        card.evolutions = Self.paragraphs(body())
        try expect(.rome)
        card.rome = try romeCodes()
        return card
    }

    // MARK: Moving through the lines

    /// Whether the line is furniture of this card, skipped wherever it appears.
    private func isOwnFurniture(_ line: SourceLine) -> Bool {
        switch line.furniture {
        case .version: true
        case .header(let id): id == entry.id
        case nil: false
        }
    }

    /// Whether the line ends a section: a heading, or the header of another card.
    private func endsSection(_ line: SourceLine) -> Bool {
        if line.heading != nil { return true }
        if case .header(let id) = line.furniture { return id != entry.id }
        return false
    }

    /// Index of the next line that is neither blank nor this card's furniture.
    private func nextMeaningfulIndex() -> Int? {
        lines.indices.dropFirst(index).first { !lines[$0].isBlank && !isOwnFurniture(lines[$0]) }
    }

    /// First line from `start` that is neither blank nor a version line (what follows the last card).
    static func firstMeaningfulLine(in lines: [SourceLine], from start: Int) -> SourceLine? {
        lines.dropFirst(start).first { !$0.isBlank && $0.furniture != .version }
    }

    /// Reads `heading` if it is the next meaningful line.
    @discardableResult
    private mutating func accept(_ heading: Heading) -> Bool {
        guard let next = nextMeaningfulIndex(), lines[next].heading == heading else { return false }
        index = next + 1
        previous = heading
        return true
    }

    private mutating func expect(_ heading: Heading) throws(ImportError) {
        guard !accept(heading) else { return }
        let context = previous.map { "after \($0.section) of card '\(entry.id)'" }
            ?? "at the start of card '\(entry.id)' (\"\(entry.name)\", Sommaire line \(entry.line))"
        let expected = "\"\(heading.title)\" \(context)"
        if let next = nextMeaningfulIndex() {
            throw ImportError(line: lines[next].number, expected: expected, found: ImportError.quoted(lines[next].text))
        }
        throw ImportError(line: lines.last?.number ?? 0, expected: expected, found: ImportError.endOfText)
    }

    /// The lines of the current section: up to the next heading or other card's header, blank
    /// lines kept (they separate paragraphs), this card's furniture left out.
    private mutating func body() -> [SourceLine] {
        var result: [SourceLine] = []
        while index < lines.count, !endsSection(lines[index]) {
            if !isOwnFurniture(lines[index]) { result.append(lines[index]) }
            index += 1
        }
        return result
    }

    // MARK: Section contents

    /// List items: each bullet starts an item; a line without bullet right under an item
    /// continues it (a wrapped item); after a blank line it starts an item of its own.
    private static func items(_ body: [SourceLine]) -> [(line: Int, text: String)] {
        var items: [(line: Int, text: String)] = []
        var afterBlank = true
        for line in body {
            if line.isBlank {
                afterBlank = true
                continue
            }
            let text = SourceLine.content(of: line.text)
            if !line.isBullet, !afterBlank, let last = items.indices.last {
                items[last].text = items[last].text.isEmpty ? text : items[last].text + " " + text
            } else {
                items.append((line.number, text))
            }
            afterBlank = false
        }
        return items.filter { !$0.text.isEmpty }
    }

    /// The texts of the list items.
    private static func list(_ body: [SourceLine]) -> [String] {
        items(body).map(\.text)
    }

    /// Prose: paragraphs (and bullet items, which are paragraphs of their own) joined by "\n",
    /// wrapped lines joined by a space.
    private static func prose(_ body: [SourceLine]) -> String {
        items(body).map(\.text).joined(separator: "\n")
    }

    /// Reads "- ◆ Externes : …" and "- ◆ Internes : …" (either may be empty after the colon).
    private mutating func liaisons() throws(ImportError) -> (externes: String, internes: String) {
        var externes: String?
        var internes: String?
        for item in Self.items(body()) {
            let parts = item.text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count == 2 ? SourceLine.collapsed(parts[1]) : ""
            switch (parts.count, Folding.slug(String(parts[0]))) {
            case (2, "externes") where externes == nil: externes = value
            case (2, "internes") where internes == nil: internes = value
            default:
                throw ImportError(
                    line: item.line,
                    expected: "one \"Externes : …\" and one \"Internes : …\" in the liaisons - relations of card '\(entry.id)'",
                    found: ImportError.quoted(item.text))
            }
        }
        guard let externes, let internes else {
            let missing = externes == nil ? "Externes" : "Internes"
            throw ImportError(
                line: lines.indices.contains(index) ? lines[index].number : lines.last?.number ?? 0,
                expected: "\"\(missing) : …\" in the liaisons - relations of card '\(entry.id)'",
                found: lines.indices.contains(index) ? ImportError.quoted(lines[index].text) : ImportError.endOfText)
        }
        return (externes, internes)
    }

    /// Runs of non-blank lines.
    private static func paragraphs(_ body: [SourceLine]) -> [PasserelleParagraph] {
        var paragraphs: [PasserelleParagraph] = []
        var current: [SourceLine] = []
        for line in body {
            if line.isBlank {
                if !current.isEmpty { paragraphs.append(PasserelleParagraph(lines: current)) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(PasserelleParagraph(lines: current)) }
        return paragraphs
    }

    /// Reads the ROME codes ("M1805": a letter A to N, four digits), or none for "Non pertinent".
    private mutating func romeCodes() throws(ImportError) -> [String] {
        let items = Self.items(body())
        let expected = "a ROME code like \"M1805\", or \"Non pertinent\", under \"Code(s) ROME\" of card '\(entry.id)'"
        guard let first = items.first else {
            let next = lines.indices.contains(index) ? lines[index] : nil
            throw ImportError(
                line: next?.number ?? lines.last?.number ?? 0, expected: expected,
                found: next.map { ImportError.quoted($0.text) } ?? ImportError.endOfText)
        }
        if items.count == 1, Folding.slug(first.text) == "non-pertinent" { return [] }
        for item in items where !RomeMetier.isValidCode(item.text) {
            throw ImportError(line: item.line, expected: expected, found: ImportError.quoted(item.text))
        }
        return items.map(\.text)
    }
}
