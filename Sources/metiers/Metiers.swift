import ArgumentParser
import MetiersClient
import MetiersConfig
import MetiersModel
import MetiersProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Metiers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metiers",
        abstract: "Find the emploi-type of the OPIIEC IT referentiel for a job title or description.",
        discussion: """
            Talks to metiersd over its Unix socket: --socket, else $METIERS_SOCKET, else the
            configuration's socket (Config/metiers.toml, $METIERS_CONFIG or /etc/metiers/metiers.toml).
            """,
        subcommands: [Search.self, Map.self, Classify.self, Show.self, Similar.self, Mobility.self, Export.self, Health.self, Stats.self, Reload.self, Eval.self, Rome.self, Suggest.self]
    )
}

/// Options every subcommand takes.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The daemon's Unix socket.")
    var socket: String?

    @Option(name: .long, help: "Configuration file (to find the socket).")
    var config: String?

    @Flag(name: .long, help: "Print the daemon's response object as is, on one line.")
    var json = false

    /// Resolves the socket path: flag, environment, configuration, built-in default.
    func socketPath() throws -> String {
        do throws(SettingsError) {
            return try Settings.clientSocket(flag: socket, config: config, environment: ProcessEnvironment.all)
        } catch {
            throw ValidationError("configuration: \(error)")
        }
    }

    /// A connection to the daemon; exit 3 with one line on stderr when none answers.
    func connect() throws -> MetiersConnection {
        do {
            return try MetiersConnection(path: try socketPath())
        } catch let error as ConnectionError {
            printError("metiers: \(error)")
            throw ExitCode(3)
        }
    }

    /// Sends `request` and returns the decoded response, exiting on a daemon error.
    func exchange(_ request: Request) throws -> Response {
        let line: [UInt8]
        do {
            line = try MetiersConnection.exchange(path: try socketPath(), request.encoded())
        } catch let error as ConnectionError {
            printError("metiers: \(error)")
            throw ExitCode(3)
        }
        let response: Response
        do {
            response = try Response.decode(line)
        } catch {
            printError("metiers: the daemon's answer is not a response of protocol v\(metiersProtocolVersion): \(error)")
            throw ExitCode(4)
        }
        if let error = response.error {
            printError("metiers: \(error.code.rawValue): \(error.message)")
            throw ExitCode(error.code == .notFound ? 2 : 1)
        }
        return response
    }

    /// Every card's summary (the `cards` operation), exiting on a daemon error.
    func cards() throws -> [Card.Summary] {
        guard case .cards(let body) = try exchange(Request(.cards)).body else { return [] }
        return body.cards
    }

    /// Sends `request` and prints the answer; non-zero exit on an error response.
    func run(_ request: Request, render: (Response) -> String) throws {
        let line: [UInt8]
        do {
            line = try MetiersConnection.exchange(path: try socketPath(), request.encoded())
        } catch let error as ConnectionError {
            printError("metiers: \(error)")
            throw ExitCode(3)
        }
        if json {
            print(String(decoding: line, as: UTF8.self))
        }
        let response: Response
        do {
            response = try Response.decode(line)
        } catch {
            printError("metiers: the daemon's answer is not a response of protocol v\(metiersProtocolVersion): \(error)")
            throw ExitCode(4)
        }
        if let error = response.error {
            if !json { printError("metiers: \(error.code.rawValue): \(error.message)") }
            throw ExitCode(error.code == .notFound ? 2 : 1)
        }
        if !json { print(render(response), terminator: "") }
    }
}

func printError(_ message: String) {
    StandardError.line(message)
}

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the cards with free text: a title, keywords or a pasted job posting.",
        discussion: "Words are ranked with OR semantics; \"a phrase\" must match as a phrase; -word excludes.")

    @Argument(help: "The query (several arguments are joined with spaces).")
    var query: [String]

    @OptionGroup var search: SearchOptions

    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Request(.search(search.parameters(query.joined(separator: " ")))), render: Rendering.results)
    }
}

struct Map: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Map a job title to emploi-types, weighing the cards' appellations most.")

    @Argument(help: "The job title (several arguments are joined with spaces).")
    var title: [String]

    @OptionGroup var search: SearchOptions

    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Request(.map(search.parameters(title.joined(separator: " ")))), render: Rendering.results)
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one card with every field, by id (e.g. concepteur-developpeur).")

    @Argument(help: "The card's id.")
    var id: String

    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Request(.show(card: id))) { response in
            guard case .show(let body) = response.body else { return "" }
            return Rendering.card(body.card)
        }
    }
}

struct Rome: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rome",
        abstract: "Look up a ROME code (fine, e.g. M1855, or older-generation, e.g. M1805): its label, appellations and the cards that carry it.")

    @Argument(help: "The ROME code.")
    var code: String

    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Request(.rome(code: code))) { response in
            guard case .rome(let body) = response.body else { return "" }
            return Rendering.rome(body.rome)
        }
    }
}

struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "The daemon's status: protocol and index versions, cards, uptime.")

    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Request(.health), render: Rendering.health)
    }
}

/// Paging, filters and facets of search and map.
struct SearchOptions: ParsableArguments {
    @Option(help: "Results per page (1-100; default: the daemon's).")
    var limit: Int?

    @Option(help: "Results to skip (paging).")
    var offset = 0

    @Option(help: "Only cards of this famille (repeatable).")
    var famille: [String] = []

    @Option(name: .customLong("sous-famille"), help: "Only cards of this sous-famille (repeatable).")
    var sousFamille: [String] = []

    @Option(help: "Only cards with this ROME code (repeatable).")
    var rome: [String] = []

    @Flag(help: "Count the matching cards per famille, sous-famille and ROME code.")
    var facets = false

    @Flag(help: "Add the confidence model's inputs to each result (with --json).")
    var explain = false

    func parameters(_ text: String) -> SearchParameters {
        SearchParameters(
            text: text, limit: limit, offset: offset, explain: explain,
            filters: Filters(famille: famille, sousFamille: sousFamille, rome: rome), facets: facets)
    }
}
