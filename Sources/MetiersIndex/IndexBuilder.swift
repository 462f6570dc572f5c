#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MetiersImport
import MetiersModel
import MetiersSchema
import MetiersText
import MetiersXapian

/// Why an index could not be built.
public enum IndexBuildError: Error, CustomStringConvertible, Equatable {
    /// There were no cards to index.
    case noCards
    /// Two cards have the same id.
    case duplicateId(String)
    /// The database directory could not be prepared or switched.
    case filesystem(path: String, reason: String)
    /// Xapian refused something.
    case xapian(XapianError)
    /// Something could not be written as the JSON a document or the index's metadata carries
    /// (`what`: "card 'concepteur-developpeur'", "ROME appellation 38701", …).
    case encoding(what: String, reason: String)
    /// The search could not say which card the suggested titles lead to.
    case titleCards(reason: String)

    public var description: String {
        switch self {
        case .noCards: "no cards to index"
        case .duplicateId(let id): "two cards have the id '\(id)'"
        case .filesystem(let path, let reason): "\(path): \(reason)"
        case .xapian(let error): "xapian: \(error)"
        case .encoding(let what, let reason): "\(what) cannot be encoded as JSON: \(reason)"
        case .titleCards(let reason): "cannot find the card each suggested title leads to: \(reason)"
        }
    }
}

/// What a build produced.
public struct IndexBuildReport: Sendable, Equatable {
    /// The directory the daemon opens (`Index/db`).
    public var root: String
    /// The versioned database the stub now points to.
    public var databasePath: String
    public var indexVersion: String
    public var cardCount: Int
    public var synonymCount: Int
    /// ROME appellations indexed (0 without ROME data), and how many extend a card.
    public var romeAppellationCount: Int = 0
    public var romeAttributedCount: Int = 0
    /// Suggested titles (vocabulary aliases, attributed ROME titles) whose card the search's
    /// answer changed from the table's or the attribution's, of those asked.
    public var titleCardChanges = 0
    public var titleCardsAsked = 0
}

/// The card the search answers first for each title (a title it answers `none` is absent),
/// asked of a written database (`databasePath`) before readers are switched to it. The
/// builder takes it as a function: the index is the search's input, and neither module
/// imports the other (`metiers-index` wires them).
public typealias TitleCards = (_ databasePath: String, _ titles: [String]) throws -> [String: String]

/// Builds the Xapian database from cards and switches readers to it atomically.
///
/// Layout under `root` (default `Index/db`): each build writes a new database directory
/// `v<nanoseconds>/`, commits it, then renames a stub file `XAPIANDB` (`auto v…`) into place. A
/// reader that opens `root` sees either the previous complete database or the new complete one,
/// never a half-built index. The previous database is kept for readers still using it; older
/// ones are removed.
public struct IndexBuilder {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Indexes `cards` (and `vocabulary`'s synonyms, and the ROME catalogue when given) into a
    /// new version under `root`. The ROME appellations go into their own database,
    /// `<root>/<version>/rome`, so that 13,000 other titles do not change the cards' statistics.
    /// `rankingModel` is the search's model as JSON (`Config/ranking-model.json`), stored in the
    /// index so that a daemon serves the model its index was built with. With `titleCards`, a
    /// title the suggester offers with a card (a vocabulary alias, an attributed ROME title)
    /// carries the card the search answers for it, so that picking it leads where it said.
    public func build(
        cards: [Card], vocabulary: Vocabulary = Vocabulary(), rome: RomeCatalog? = nil, rankingModel: String, root: String,
        titleCards: TitleCards? = nil
    ) throws(IndexBuildError) -> IndexBuildReport {
        guard !cards.isEmpty else { throw .noCards }
        var seen = Set<String>()
        for card in cards where !seen.insert(card.id).inserted { throw .duplicateId(card.id) }

        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw .filesystem(path: root, reason: "cannot create the database directory (\(error))")
        }
        let version = "v\(DispatchTimeSource.nanosecondsSinceEpoch())"
        let databasePath = root + "/" + version
        // Everything that can fail before Xapian is asked to write is done first.
        let cardData = try Self.documentData(cards)
        var attribution: RomeAttribution?
        var romeData: RomeDatabaseWriter.EncodedDocuments?
        if let rome {
            let computed: RomeAttribution
            do {
                computed = RomeAttribution.compute(cards: cards, catalog: rome, vocabulary: vocabulary, analyzer: try FrenchAnalyzer())
            } catch {
                throw .xapian(error)
            }
            attribution = computed
            romeData = try RomeDatabaseWriter.encode(catalog: rome, attribution: computed)
        }
        let indexVersion = Self.contentVersion(cards: cardData, vocabulary: vocabulary, rome: rome, attribution: attribution, rankingModel: rankingModel)
        let synonymCount: Int
        do {
            synonymCount = try write(
                cards: cardData, vocabulary: vocabulary, attribution: attribution, romeLabels: rome?.appellations.map(\.label) ?? [],
                rankingModel: rankingModel, indexVersion: indexVersion, build: version, to: databasePath)
            if let romeData, let attribution {
                try RomeDatabaseWriter.write(romeData, attribution: attribution, indexVersion: indexVersion, to: databasePath + "/rome")
            }
        } catch {
            // The half-written version is removed if it can be; the reported failure is Xapian's.
            // One left behind is never served (the stub still names the previous version) and a
            // later build prunes it.
            try? fm.removeItem(atPath: databasePath)
            throw .xapian(error)
        }
        var changes = (changed: 0, asked: 0)
        if let titleCards {
            do {
                changes = try reviseTitleCards(at: databasePath, vocabulary: vocabulary.storedTitles, rome: romeData?.storedTitles, titleCards)
            } catch {
                try? fm.removeItem(atPath: databasePath)
                throw error
            }
        }
        try switchStub(root: root, to: version)
        prune(root: root, keeping: version)
        logger.info("index built", metadata: [
            "path": "\(databasePath)", "cards": "\(cards.count)", "version": "\(indexVersion)",
        ])
        return IndexBuildReport(
            root: root, databasePath: databasePath, indexVersion: indexVersion, cardCount: cards.count, synonymCount: synonymCount,
            romeAppellationCount: rome?.appellations.count ?? 0, romeAttributedCount: attribution?.entries.filter { $0.card != nil }.count ?? 0,
            titleCardChanges: changes.changed, titleCardsAsked: changes.asked)
    }

    /// Asks `titleCards` for every title stored with a card and stores its answers instead
    /// (none for a title the search answers `none`). A card's own name and appellations are
    /// not stored titles: they lead to their card, as the referentiel says. Returns how many
    /// titles changed card, of how many were asked.
    private func reviseTitleCards(
        at path: String, vocabulary: [StoredTitle], rome: [StoredTitle]?, _ titleCards: TitleCards
    ) throws(IndexBuildError) -> (changed: Int, asked: Int) {
        let asked = Set((vocabulary + (rome ?? [])).filter { $0.card != nil }.map(\.title)).sorted()
        let answers: [String: String]
        do {
            answers = try titleCards(path, asked)
        } catch {
            throw .titleCards(reason: "\(error)")
        }
        var changed = Set<String>()
        func revised(_ titles: [StoredTitle]) -> [StoredTitle] {
            titles.map { title in
                guard title.card != nil else { return title }
                var revised = title
                revised.card = answers[title.title]
                if revised.card != title.card { changed.insert(title.title) }
                return revised
            }
        }
        do {
            let database = try WritableDatabase(openingAt: path)
            try database.setMetadata(MetadataKey.vocabularyTitles, StoredTitles.encode(revised(vocabulary)))
            try database.commit()
            if let rome {
                let romeDatabase = try WritableDatabase(openingAt: path + "/rome")
                try romeDatabase.setMetadata(MetadataKey.romeTitles, StoredTitles.encode(revised(rome)))
                try romeDatabase.commit()
            }
        } catch {
            throw .xapian(error)
        }
        return (changed.count, asked.count)
    }

    /// Each card with the JSON its document carries (what the search reads back).
    static func documentData(_ cards: [Card]) throws(IndexBuildError) -> [(card: Card, data: String)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var result: [(card: Card, data: String)] = []
        for card in cards {
            do {
                result.append((card, String(decoding: try encoder.encode(card), as: UTF8.self)))
            } catch {
                throw .encoding(what: "card '\(card.id)'", reason: "\(error)")
            }
        }
        return result
    }

    /// What the documents tell the database besides themselves: spelling words and the words of
    /// the title keys.
    private struct Collected {
        var spelling: [String: UInt32] = [:]
        var titleWords = Set<String>()
        var romeTitleWords = Set<String>()
    }

    /// Writes one complete database; returns the number of synonym pairs.
    private func write(
        cards: [(card: Card, data: String)], vocabulary: Vocabulary, attribution: RomeAttribution?, romeLabels: [String], rankingModel: String,
        indexVersion: String, build: String, to path: String
    ) throws(XapianError) -> Int {
        let database = try WritableDatabase(creatingAt: path)
        let analyzer = try FrenchAnalyzer()
        var collected = Collected()
        let romeTitles = attribution?.byCard ?? [:]
        for (card, data) in cards {
            let document = try Document()
            try addRomeTitles(romeTitles[card.id] ?? [], to: document, analyzer: analyzer, collected: &collected)
            try addCard(card, to: document, analyzer: analyzer, collected: &collected)
            try document.setData(data)
            try database.replaceDocument(uniqueTerm: TermPrefix.id.rawValue + card.id, document)
        }
        for (word, frequency) in collected.spelling { try database.addSpelling(word, frequencyIncrement: frequency) }
        for word in titleOnlyWords(vocabulary.rows.map(\.alias) + romeLabels, besides: collected.spelling, analyzer: analyzer) {
            try database.addSpelling(word, frequencyIncrement: 1)
        }
        var synonymCount = 0
        for (key, synonyms) in vocabulary.synonymEntries(analyzer: analyzer) {
            for synonym in synonyms {
                try database.addSynonym(key, synonym)
                synonymCount += 1
            }
        }
        let metadata: [(String, String)] = [
            (MetadataKey.schema, indexSchemaVersion), (MetadataKey.indexVersion, indexVersion), (MetadataKey.cardCount, String(cards.count)),
            (MetadataKey.titleWords, collected.titleWords.sorted().joined(separator: " ")),
            (MetadataKey.romeTitleWords, collected.romeTitleWords.sorted().joined(separator: " ")),
            (MetadataKey.buildDirectory, build), (MetadataKey.rankingModel, rankingModel),
            (MetadataKey.cardRomeCodes, Set(cards.flatMap(\.card.rome)).sorted().joined(separator: " ")),
            (MetadataKey.builtAt, Date().formatted(.iso8601)),
            (MetadataKey.vocabularyTitles, StoredTitles.encode(vocabulary.storedTitles)),
        ]
        for (key, value) in metadata { try database.setMetadata(key, value) }
        try database.commit()
        return synonymCount
    }

    /// The words that only titles write: the vocabulary's aliases and ROME's 13,000 titles
    /// ("account", "enterprise", "infirmier"), as folded as the cards' words are. Spelling
    /// corrects a title only into a word some title writes; these make such words suggestible
    /// too, at the lowest frequency, so that a word of the cards still wins a tie.
    private func titleOnlyWords(_ titles: [String], besides cardWords: [String: UInt32], analyzer: FrenchAnalyzer) -> Set<String> {
        var words = Set<String>()
        for title in titles {
            for term in analyzer.analyse(title) where term.word.unicodeScalars.count >= 3 && cardWords[term.word] == nil { words.insert(term.word) }
        }
        return words
    }

    /// The ROME appellations attributed to a card: text and title keys of their own, weighted
    /// below the card's appellations at query time; their fine codes filter.
    private func addRomeTitles(_ appellations: [RomeAppellation], to document: Document, analyzer: FrenchAnalyzer, collected: inout Collected) throws(XapianError) {
        var romePosition: UInt32 = 0
        var romeKeys = Set<String>()
        for appellation in appellations {
            var last: UInt32 = 0
            for term in analyzer.analyse(appellation.label) {
                // No within-document frequency: 13,000 other titles must not make the card's
                // document longer for BM25 (which would lower all its other matches).
                try document.addTerm(TermPrefix.romeTitle.rawValue + term.stem, position: romePosition + term.position, wdfIncrement: 0)
                last = term.position
            }
            romePosition += last + 100
            for (key, words) in TitleKey.indexable(RomeTitles.variants(of: appellation.label)) where romeKeys.insert(key).inserted {
                collected.romeTitleWords.formUnion(words)
                try document.addTerm(TermPrefix.romeTitleKey.rawValue + key)
            }
            try document.addBooleanTerm(TermPrefix.rome.rawValue + appellation.codeRome)
        }
    }

    /// The card's own text by field, its title keys, its boolean terms and values.
    private func addCard(_ card: Card, to document: Document, analyzer: FrenchAnalyzer, collected: inout Collected) throws(XapianError) {
        for (prefix, texts) in CardFields.text(of: card) {
            var position: UInt32 = 0
            for text in texts {
                var last: UInt32 = 0
                for term in analyzer.analyse(text) {
                    try document.addTerm(prefix.rawValue + term.stem, position: position + term.position)
                    last = term.position
                    if term.word.unicodeScalars.count >= 3 { collected.spelling[term.word, default: 0] += 1 }
                }
                // A gap between items keeps phrases from spanning two of them.
                position += last + 100
            }
        }
        // One title-key term per name and appellation, weighted like text (not boolean) so
        // that an exact title match scores.
        for (key, words) in TitleKey.indexable(([card.name] + card.appellations.map(\.label)).flatMap(TitleKey.variants)) {
            collected.titleWords.formUnion(words)
            try document.addTerm(TermPrefix.titleKey.rawValue + key)
        }
        try document.addBooleanTerm(TermPrefix.id.rawValue + card.id)
        try document.addBooleanTerm(TermPrefix.famille.rawValue + Folding.slug(card.famille))
        if let sousFamille = card.sousFamille {
            try document.addBooleanTerm(TermPrefix.sousFamille.rawValue + Folding.slug(sousFamille))
        }
        for code in card.rome { try document.addBooleanTerm(TermPrefix.rome.rawValue + code) }
        try document.setValue(card.famille, slot: ValueSlot.famille.rawValue)
        try document.setValue(card.sousFamille ?? "", slot: ValueSlot.sousFamille.rawValue)
        try document.setValue(card.rome.joined(separator: ","), slot: ValueSlot.rome.rawValue)
    }

    /// Points the `XAPIANDB` stub of `root` at `version`, atomically (write, fsync, rename).
    private func switchStub(root: String, to version: String) throws(IndexBuildError) {
        let stub = root + "/XAPIANDB"
        let temporary = root + "/.XAPIANDB.\(getpidPortable()).tmp"
        do {
            try Data("auto \(version)\n".utf8).write(to: URL(fileURLWithPath: temporary), options: .atomic)
            if rename(temporary, stub) != 0 {
                throw IndexBuildError.filesystem(path: stub, reason: "rename failed (errno \(errno))")
            }
        } catch let error as IndexBuildError {
            throw error
        } catch {
            throw .filesystem(path: stub, reason: "cannot write the stub file (\(error))")
        }
    }

    /// Removes versions older than the previous one; failures only log.
    private func prune(root: String, keeping current: String) {
        let fm = FileManager.default
        let entries: [String]
        do {
            entries = try fm.contentsOfDirectory(atPath: root)
        } catch {
            logger.warning("cannot list old databases to remove", metadata: ["path": "\(root)", "error": "\(error)"])
            return
        }
        let versions = entries.filter { $0.hasPrefix("v") && $0 != current }.sorted { versionNumber($0) > versionNumber($1) }
        for old in versions.dropFirst() {
            do { try fm.removeItem(atPath: root + "/" + old) } catch {
                logger.warning("cannot remove old database", metadata: ["path": "\(root)/\(old)", "error": "\(error)"])
            }
        }
    }

    private func versionNumber(_ name: String) -> UInt64 { UInt64(name.dropFirst()) ?? 0 }

    /// A short, stable digest of what is indexed: the same cards, vocabulary, ROME data and
    /// attribution give the same version, so a job board can cache answers per version. The
    /// cards count by the data their documents carry (`documentData`), in id order.
    static func contentVersion(
        cards: [(card: Card, data: String)], vocabulary: Vocabulary, rome: RomeCatalog? = nil, attribution: RomeAttribution? = nil, rankingModel: String = ""
    ) -> String {
        var hash = FNV1a()
        hash.combine(indexSchemaVersion)
        // What the spelling data holds besides the cards' words (an index built before held none).
        hash.combine("spelling: vocabulary aliases, ROME titles")
        for (_, data) in cards.sorted(by: { $0.card.id < $1.card.id }) { hash.combine(data) }
        hash.combine(vocabulary.fingerprint)
        // The suggester's titles carry each row's card and ROME code, which the fingerprint does not.
        hash.combine(StoredTitles.encode(vocabulary.storedTitles))
        if let rome {
            for a in rome.appellations { hash.combine("\(a.codeOgr)\t\(a.label)\t\(a.codeRome)\t\(a.codeRomeParent)\n") }
            for m in rome.metiers { hash.combine("\(m.code)\t\(m.label)\t\(m.parent)\n") }
        }
        // Which card each ROME title extends depends on the attribution rule too.
        for e in attribution?.entries ?? [] { hash.combine("\(e.appellation.codeOgr)>\(e.card ?? "-")\n") }
        // The answers depend on the ranking model too.
        hash.combine(rankingModel)
        return String(hash.value, radix: 16).leftPadded(to: 16)
    }
}

/// 64-bit FNV-1a: a small, stable, dependency-free digest.
struct FNV1a {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }

    mutating func combine(_ string: String) { combine(bytes: string.utf8) }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func getpidPortable() -> Int32 { getpid() }

enum DispatchTimeSource {
    static func nanosecondsSinceEpoch() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
