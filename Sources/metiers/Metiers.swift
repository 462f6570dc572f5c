import ArgumentParser
import MetiersClient
import MetiersConfig
import MetiersProtocol

@main
struct Metiers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metiers",
        abstract: "Find the emploi-type of the OPIIEC IT referentiel for a job title or description.",
        discussion: """
            Talks to metiersd over its Unix socket: --socket, else $METIERS_SOCKET, else the
            configuration's socket (Config/metiers.toml, $METIERS_CONFIG or /etc/metiers/metiers.toml).
            """,
        subcommands: [
            Search.self, Map.self, Suggest.self, Classify.self, Show.self, Similar.self, Mobility.self, Export.self,
            Health.self, Stats.self, Reload.self, Eval.self, Rome.self,
        ]
    )
}

/// Options every subcommand takes, and the one place a client failure becomes an exit status.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The daemon's Unix socket.") var socket: String?
    @Option(name: .long, help: "Configuration file (to find the socket).") var config: String?
    @Flag(name: .long, help: "Print the daemon's response object as is, on one line.") var json = false

    /// The daemon at the socket the flag, the environment, the configuration or the built-in
    /// default names.
    func client() throws -> DaemonClient {
        do throws(SettingsError) {
            return DaemonClient(socketPath: try Settings.clientSocket(flag: socket, config: config, environment: ProcessEnvironment.all))
        } catch {
            throw ValidationError("configuration: \(error)")
        }
    }

    /// `body`'s value; a failure is one line on stderr (unless `quiet`) and its exit status.
    func guarded<T>(quiet: Bool = false, _ body: () throws(ClientFailure) -> T) throws -> T {
        do {
            return try body()
        } catch {
            if !quiet { StandardError.line(error.description) }
            throw ExitCode(error.exitStatus)
        }
    }

    /// Sends `request` and prints the answer rendered, or with --json as it came.
    func run(_ request: Request, render: (Response) -> String) throws {
        let client = try client()
        let (response, line) = try guarded { () throws(ClientFailure) in try client.exchange(request) }
        if json { print(String(decoding: line, as: UTF8.self)) }
        try guarded(quiet: json) { () throws(ClientFailure) in
            if let error = response.error { throw .daemon(error) }
        }
        if !json { print(render(response), terminator: "") }
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

    func parameters(_ words: [String]) -> SearchParameters {
        SearchParameters(
            text: words.joined(separator: " "), limit: limit, offset: offset, explain: explain,
            filters: Filters(famille: famille, sousFamille: sousFamille, rome: rome), facets: facets)
    }
}
