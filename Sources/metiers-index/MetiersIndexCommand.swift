import ArgumentParser
import Logging
import MetiersConfig
import MetiersImport
import MetiersIndex
import MetiersModel
import MetiersSchema
import MetiersSearch

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

@main
struct MetiersIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metiers-index",
        abstract: "Build the metiers Xapian index, or re-import the referentiel into job cards.",
        subcommands: [Build.self, Import.self, RomeTable.self],
        defaultSubcommand: Build.self)
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Index the job cards into a new database version and switch to it atomically.")

    @OptionGroup var options: IndexerOptions

    @Option(help: "Index directory to write (readers open this directory).")
    var db: String?

    @Option(help: "The vocabulary table (TSV: alias, expansion, cards, source, reason).")
    var vocabulary: String?

    @Option(help: "ROME data directory (the two CSV files of Index/rome).")
    var rome: String?

    @Flag(help: "Index without the ROME data.")
    var noRome = false

    @Option(help: "Ranking model (JSON written by Scripts/fit), stored in the index for the daemon.")
    var rankingModel: String?

    func run() throws {
        let settings = options.settings.index
        let logger = options.logger()
        let root = db ?? settings.database
        let vocabularyPath = vocabulary ?? settings.vocabulary

        let cards: [Card]
        do {
            cards = try CardStore.load(from: settings.cards)
        } catch {
            fail("cannot load the job cards: \(error)")
        }
        var table = Vocabulary()
        if let data = FileManager.default.contents(atPath: vocabularyPath) {
            do {
                table = try Vocabulary.parse(String(decoding: data, as: UTF8.self))
                try table.validate(cardIDs: Set(cards.map(\.id)))
            } catch {
                fail("\(vocabularyPath): \(error)")
            }
        } else if vocabulary != nil {
            fail("cannot read the vocabulary file \(vocabularyPath)")
        } else {
            logger.notice("no vocabulary file; indexing without synonyms", metadata: ["path": "\(vocabularyPath)"])
        }
        var catalog: RomeCatalog?
        if !noRome {
            let romePath = rome ?? settings.rome
            if rome != nil || FileManager.default.fileExists(atPath: romePath) {
                do {
                    catalog = try RomeCatalog.load(directory: romePath)
                } catch {
                    fail("ROME data: \(error)")
                }
            } else {
                logger.notice("no ROME data; indexing without it", metadata: ["path": "\(romePath)"])
            }
        }
        let modelPath = rankingModel ?? settings.rankingModel
        guard let modelData = FileManager.default.contents(atPath: modelPath) else { fail("cannot read the ranking model \(modelPath)") }
        do {
            _ = try RankingModel.decode(Array(modelData))
        } catch {
            fail("\(modelPath): \(error)")
        }
        do {
            let report = try IndexBuilder(logger: logger).build(
                cards: cards, vocabulary: table, rome: catalog, rankingModel: String(decoding: modelData, as: UTF8.self), root: root)
            var line = "indexed \(report.cardCount) cards, \(report.synonymCount) synonyms"
            if catalog != nil { line += ", \(report.romeAppellationCount) ROME appellations (\(report.romeAttributedCount) extend a card)" }
            print(line + " into \(report.databasePath) (index version \(report.indexVersion))")
        } catch {
            fail("\(error)")
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn the referentiel's text into the 36 job cards (all or nothing).")

    @OptionGroup var options: IndexerOptions

    @Option(help: "The referentiel's text.")
    var referentiel = "Index/referentiel-metiers-informatique.txt"

    func run() throws {
        _ = options.logger()
        let cardsPath = options.settings.index.cards
        guard let data = FileManager.default.contents(atPath: referentiel) else {
            fail("cannot read \(referentiel)")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            fail("\(referentiel) is not UTF-8 text")
        }
        do {
            let cards = try ReferentielImporter.cards(fromText: text)
            try CardStore.write(cards, to: cardsPath)
            print("wrote \(cards.count) job cards to \(cardsPath)")
        } catch {
            fail("\(referentiel): \(error)")
        }
    }
}

struct RomeTable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rome-table",
        abstract: "Write the reviewable table of which card each ROME appellation extends.")

    @OptionGroup var options: IndexerOptions

    @Option(help: "ROME data directory.")
    var rome: String?

    @Option(help: "The vocabulary table (TSV: alias, expansion, cards, source, reason).")
    var vocabulary: String?

    @Option(help: "Where to write the table ('-' for standard output; default: attribution.tsv in the ROME directory).")
    var output: String?

    func run() throws {
        let settings = options.settings.index
        _ = options.logger()
        let romePath = rome ?? settings.rome
        let cards: [Card]
        let catalog: RomeCatalog
        do {
            cards = try CardStore.load(from: settings.cards)
        } catch {
            fail("cannot load the job cards: \(error)")
        }
        do {
            catalog = try RomeCatalog.load(directory: romePath)
        } catch {
            fail("ROME data: \(error)")
        }
        let vocabularyPath = vocabulary ?? settings.vocabulary
        let table: Vocabulary
        do {
            table = try loadVocabulary(vocabularyPath, cards: cards)
        } catch {
            fail("\(vocabularyPath): \(error)")
        }
        let attribution: RomeAttribution
        do {
            attribution = RomeAttribution.compute(cards: cards, catalog: catalog, vocabulary: table, analyzer: try FrenchAnalyzer())
        } catch {
            fail("\(error)")
        }
        let destination = output ?? romePath + "/attribution.tsv"
        if destination == "-" {
            print(attribution.table, terminator: "")
            return
        }
        do {
            try Data(attribution.table.utf8).write(to: URL(fileURLWithPath: destination), options: .atomic)
        } catch {
            fail("cannot write \(destination): \(error)")
        }
        let attributed = attribution.entries.filter { $0.card != nil }.count
        print("wrote \(attribution.entries.count) appellations (\(attributed) attributed to a card) to \(destination)")
    }
}

/// The vocabulary table, its card ids checked against `cards`; an empty one when the file is
/// missing.
func loadVocabulary(_ path: String, cards: [Card]) throws(VocabularyError) -> Vocabulary {
    guard let data = FileManager.default.contents(atPath: path) else { return Vocabulary() }
    let table = try Vocabulary.parse(String(decoding: data, as: UTF8.self))
    try table.validate(cardIDs: Set(cards.map(\.id)))
    return table
}

func fail(_ message: String) -> Never {
    StandardError.line("metiers-index: error: \(message)")
    #if canImport(Glibc)
    Glibc.exit(1)
    #elseif canImport(Darwin)
    Darwin.exit(1)
    #endif
}
