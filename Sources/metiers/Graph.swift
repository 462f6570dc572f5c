import ArgumentParser
import MetiersClient
import MetiersConfig
import MetiersModel
import MetiersProtocol

struct Mobility: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mobility",
        abstract: "Career paths from the passerelles: where people come from and where they can go.",
        discussion: "With --dot, writes Graphviz DOT (the whole graph, or the neighbourhood of ID): metiers mobility --dot | dot -Tsvg > passerelles.svg")
    @Argument(help: "The card's id (optional with --dot).") var id: String?
    @Option(help: "Moves to follow in each direction.") var steps = 1
    @Flag(help: "Write Graphviz DOT instead of a table.") var dot = false
    @OptionGroup var options: ClientOptions
    func validate() throws {
        if id == nil && !dot { throw ValidationError("give a card id, or --dot for the whole graph") }
        if steps < 1 || steps > 10 { throw ValidationError("--steps must be between 1 and 10") }
    }
    func run() throws {
        let client = try options.client()
        print(try options.guarded { () throws(ClientFailure) in
            try MobilityGraph(cards: try client.cards()).rendered(center: id, steps: steps, dot: dot, json: options.json)
        }, terminator: "")
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every card (id, name, famille, sous-famille, ROME codes, appellations) as JSON Lines or CSV.",
        discussion: "JSON Lines give each card's summary as the daemon's `cards` operation does, passerelles (origines, evolutions) included.")
    @Option(help: "jsonl or csv.") var format = ClassifyStream.Format.jsonl
    @OptionGroup var options: ClientOptions
    func run() throws {
        let client = try options.client()
        let cards = try options.guarded { () throws(ClientFailure) in try client.cards() }
        print(try Rendering.export(cards, csv: format == .csv), terminator: "")
    }
}
