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

    @OptionGroup var sources: SourceOptions

    @Option(help: "Index directory to write (readers open this directory).")
    var db: String?

    @Flag(help: "Index without the ROME data.")
    var noRome = false

    @Option(help: "Ranking model (JSON written by Scripts/fit), stored in the index for the daemon.")
    var rankingModel: String?

    func run() throws {
        let settings = options.settings.index
        let logger = options.logger()
        let root = db ?? settings.database
        let cards = sources.cards(settings)
        let table = sources.vocabulary(settings, cards: cards, logger: logger)
        var catalog: RomeCatalog?
        if !noRome {
            let romePath = sources.romePath(settings)
            if sources.rome != nil || FileManager.default.fileExists(atPath: romePath) {
                catalog = sources.catalog(settings)
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
                cards: cards, vocabulary: table, rome: catalog, rankingModel: String(decoding: modelData, as: UTF8.self), root: root,
                titleCards: { path, titles in try SearchIndex(path: path, logger: logger).leadingCards(of: titles) })
            var line = "indexed \(report.cardCount) cards, \(report.synonymCount) synonyms"
            if catalog != nil { line += ", \(report.romeAppellationCount) ROME appellations (\(report.romeAttributedCount) extend a card)" }
            print(line + " into \(report.databasePath) (index version \(report.indexVersion)); \(report.titleCardChanges) of "
                + "\(report.titleCardsAsked) suggested titles lead to the card the search answers, not the table's or the attribution's")
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

    @OptionGroup var sources: SourceOptions

    @Option(help: "Where to write the table ('-' for standard output; default: attribution.tsv in the ROME directory).")
    var output: String?

    func run() throws {
        let settings = options.settings.index
        let logger = options.logger()
        let cards = sources.cards(settings)
        let catalog = sources.catalog(settings)
        let table = sources.vocabulary(settings, cards: cards, logger: logger)
        let attribution: RomeAttribution
        do {
            attribution = RomeAttribution.compute(cards: cards, catalog: catalog, vocabulary: table, analyzer: try FrenchAnalyzer())
        } catch {
            fail("\(error)")
        }
        let destination = output ?? sources.romePath(settings) + "/attribution.tsv"
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

/// What Build and RomeTable read besides the cards' directory: the vocabulary table and the
/// ROME data, each from its flag or else from the settings.
struct SourceOptions: ParsableArguments {
    @Option(help: "The vocabulary table (TSV: alias, expansion, cards, source, reason).")
    var vocabulary: String?

    @Option(help: "ROME data directory (the two CSV files of Index/rome).")
    var rome: String?

    func cards(_ settings: Settings.Index) -> [Card] {
        do {
            return try CardStore.load(from: settings.cards)
        } catch {
            fail("cannot load the job cards: \(error)")
        }
    }

    /// The vocabulary table, its card ids checked against `cards`. A missing file is an error
    /// when `--vocabulary` names it, and an empty table (said in the log) when the settings do.
    func vocabulary(_ settings: Settings.Index, cards: [Card], logger: Logger) -> Vocabulary {
        let path = vocabulary ?? settings.vocabulary
        guard let data = FileManager.default.contents(atPath: path) else {
            if vocabulary != nil { fail("cannot read the vocabulary file \(path)") }
            logger.notice("no vocabulary file; indexing without synonyms", metadata: ["path": "\(path)"])
            return Vocabulary()
        }
        do {
            let table = try Vocabulary.parse(String(decoding: data, as: UTF8.self))
            try table.validate(cardIDs: Set(cards.map(\.id)))
            return table
        } catch {
            fail("\(path): \(error)")
        }
    }

    func romePath(_ settings: Settings.Index) -> String { rome ?? settings.rome }

    func catalog(_ settings: Settings.Index) -> RomeCatalog {
        do {
            return try RomeCatalog.load(directory: romePath(settings))
        } catch {
            fail("ROME data: \(error)")
        }
    }
}

func fail(_ message: String) -> Never {
    StandardError.line("metiers-index: error: \(message)")
    #if canImport(Glibc)
    Glibc.exit(1)
    #elseif canImport(Darwin)
    Darwin.exit(1)
    #endif
}
