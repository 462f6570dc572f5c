import ArgumentParser
import Logging
import MetiersConfig
import MetiersCorpus
import MetiersIndex

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
        subcommands: [Build.self, Import.self],
        defaultSubcommand: Build.self)
}

/// Options shared by the subcommands.
struct IndexOptions: ParsableArguments {
    @Option(help: "Configuration file.")
    var config: String?

    @Option(help: "Job cards directory (one <id>.json per card).")
    var cards: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "notice"

    func settings() -> MetiersConfiguration {
        guard let path = MetiersConfiguration.locate(explicit: config, environment: ProcessEnvironment.all) else {
            return MetiersConfiguration()
        }
        do {
            return try MetiersConfiguration.load(path: path)
        } catch {
            fail("configuration: \(error)")
        }
    }

    func bootstrapLogging() -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .notice
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "metiers-index")
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Index the job cards into a new database version and switch to it atomically.")

    @OptionGroup var options: IndexOptions

    @Option(help: "Index directory to write (readers open this directory).")
    var db: String?

    @Option(help: "Synonym and abbreviation table.")
    var vocabulary: String?

    func run() throws {
        let settings = options.settings()
        let logger = options.bootstrapLogging()
        let cardsPath = options.cards ?? settings.cardsPath
        let root = db ?? settings.databasePath
        let vocabularyPath = vocabulary ?? settings.vocabularyPath

        let cards: [Card]
        do {
            cards = try CardStore.load(from: cardsPath)
        } catch {
            fail("cannot load the job cards: \(error)")
        }
        var table = Vocabulary()
        if let data = FileManager.default.contents(atPath: vocabularyPath) {
            do {
                table = try Vocabulary.parse(String(decoding: data, as: UTF8.self))
            } catch {
                fail("\(vocabularyPath): \(error)")
            }
        } else if vocabulary != nil {
            fail("cannot read the vocabulary file \(vocabularyPath)")
        } else {
            logger.notice("no vocabulary file; indexing without synonyms", metadata: ["path": "\(vocabularyPath)"])
        }
        do {
            let report = try IndexBuilder(logger: logger).build(cards: cards, vocabulary: table, root: root)
            print("indexed \(report.cardCount) cards, \(report.synonymCount) synonyms into \(report.databasePath) (index version \(report.indexVersion))")
        } catch {
            fail("\(error)")
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn the referentiel's text into the 36 job cards (all or nothing).")

    @OptionGroup var options: IndexOptions

    @Option(help: "The referentiel's text.")
    var referentiel = "Index/referentiel-metiers-informatique.txt"

    func run() throws {
        let settings = options.settings()
        _ = options.bootstrapLogging()
        let cardsPath = options.cards ?? settings.cardsPath
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

func fail(_ message: String) -> Never {
    StandardError.line("metiers-index: error: \(message)")
    Glibc.exit(1)
}
