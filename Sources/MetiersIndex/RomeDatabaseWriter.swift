#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersImport
import MetiersModel
import MetiersSchema
import MetiersText
import MetiersXapian

/// Writes the ROME database: one document per appellation (all 13,120, not only the cards'),
/// so that a query can be matched against every job title France names.
///
/// Each document has the appellation's stems (`XT`), its title keys (`XE`), its fine code
/// (`XR`), its parent code (`XG`), the card it is attributed to when there is one (`XY`), and
/// the appellation as JSON data (``RomeDocument``). Metadata: the métiers as JSON, the index
/// version, the title words, every appellation as a suggester title (`StoredTitles`).
enum RomeDatabaseWriter {
    static func write(catalog: RomeCatalog, attribution: RomeAttribution, indexVersion: String, to path: String) throws(XapianError) {
        let database = try WritableDatabase(creatingAt: path)
        let analyzer = try FrenchAnalyzer()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let cardOf = Dictionary(attribution.entries.compactMap { e in e.card.map { (e.appellation.codeOgr, $0) } }, uniquingKeysWith: { a, _ in a })
        var titleWords = Set<String>()
        for appellation in catalog.appellations {
            let document = try Document()
            for term in analyzer.analyse(appellation.label) {
                try document.addTerm(TermPrefix.title.rawValue + term.stem, position: term.position)
            }
            for (key, words) in TitleKey.indexable(RomeTitles.variants(of: appellation.label)) {
                titleWords.formUnion(words)
                try document.addTerm(TermPrefix.titleKey.rawValue + key)
            }
            try document.addBooleanTerm(TermPrefix.id.rawValue + appellation.codeOgr)
            try document.addBooleanTerm(TermPrefix.rome.rawValue + appellation.codeRome)
            try document.addBooleanTerm(TermPrefix.romeParent.rawValue + appellation.codeRomeParent)
            let card = cardOf[appellation.codeOgr]
            if let card { try document.addBooleanTerm(TermPrefix.romeCard.rawValue + card) }
            let data = (try? encoder.encode(RomeDocument(appellation: appellation, card: card))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            try document.setData(data)
            try database.replaceDocument(uniqueTerm: TermPrefix.id.rawValue + appellation.codeOgr, document)
        }
        let metiers = (try? encoder.encode(catalog.metiers)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        try database.setMetadata(MetadataKey.schema, indexSchemaVersion)
        try database.setMetadata(MetadataKey.indexVersion, indexVersion)
        try database.setMetadata(MetadataKey.romeMetiers, metiers)
        try database.setMetadata(MetadataKey.titleWords, titleWords.sorted().joined(separator: " "))
        let titles = catalog.appellations.map { a in
            StoredTitle(title: a.label, card: cardOf[a.codeOgr], rome: a.codeRome, rarelyUsed: a.rarelyUsed)
        }
        try database.setMetadata(MetadataKey.romeTitles, StoredTitles.encode(titles))
        try database.setMetadata(MetadataKey.cardRomeCodes, attribution.cardCodes.sorted().joined(separator: " "))
        try database.commit()
    }
}
