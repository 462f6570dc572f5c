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
    /// The catalogue with the JSON its documents and metadata carry, encoded before anything is
    /// written, so that an encoding failure is reported rather than stored as `{}`.
    struct EncodedDocuments {
        let catalog: RomeCatalog
        /// The card each attributed appellation extends, by OGR code.
        let cardOf: [String: String]
        /// Each appellation's ``RomeDocument``, in the catalogue's order.
        let documents: [String]
        /// The métiers, as one JSON array.
        let metiers: String

        /// Every appellation as the suggester offers it: its fine code, and the card it is
        /// attributed to when it is.
        var storedTitles: [StoredTitle] {
            catalog.appellations.map { a in StoredTitle(title: a.label, card: cardOf[a.codeOgr], rome: a.codeRome, rarelyUsed: a.rarelyUsed) }
        }
    }

    static func encode(catalog: RomeCatalog, attribution: RomeAttribution) throws(IndexBuildError) -> EncodedDocuments {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let cardOf = Dictionary(attribution.entries.compactMap { e in e.card.map { (e.appellation.codeOgr, $0) } }, uniquingKeysWith: { a, _ in a })
        func json(_ value: some Encodable, _ what: @autoclosure () -> String) throws(IndexBuildError) -> String {
            do {
                return String(decoding: try encoder.encode(value), as: UTF8.self)
            } catch {
                throw .encoding(what: what(), reason: "\(error)")
            }
        }
        var documents: [String] = []
        documents.reserveCapacity(catalog.appellations.count)
        for appellation in catalog.appellations {
            let document = RomeDocument(appellation: appellation, card: cardOf[appellation.codeOgr])
            documents.append(try json(document, "ROME appellation \(appellation.codeOgr)"))
        }
        return EncodedDocuments(catalog: catalog, cardOf: cardOf, documents: documents, metiers: try json(catalog.metiers, "the ROME métiers"))
    }

    static func write(_ encoded: EncodedDocuments, attribution: RomeAttribution, indexVersion: String, to path: String) throws(XapianError) {
        let database = try WritableDatabase(creatingAt: path)
        let analyzer = try FrenchAnalyzer()
        let catalog = encoded.catalog
        let cardOf = encoded.cardOf
        var titleWords = Set<String>()
        for (appellation, data) in zip(catalog.appellations, encoded.documents) {
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
            try document.setData(data)
            try database.replaceDocument(uniqueTerm: TermPrefix.id.rawValue + appellation.codeOgr, document)
        }
        try database.setMetadata(MetadataKey.schema, indexSchemaVersion)
        try database.setMetadata(MetadataKey.indexVersion, indexVersion)
        try database.setMetadata(MetadataKey.romeMetiers, encoded.metiers)
        try database.setMetadata(MetadataKey.titleWords, titleWords.sorted().joined(separator: " "))
        try database.setMetadata(MetadataKey.romeTitles, StoredTitles.encode(encoded.storedTitles))
        try database.setMetadata(MetadataKey.cardRomeCodes, attribution.cardCodes.sorted().joined(separator: " "))
        try database.commit()
    }
}
