import ArgumentParser
import MetiersClient
import MetiersProtocol

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search the cards with free text: a title, keywords or a pasted job posting.",
        discussion: "Words are ranked with OR semantics; \"a phrase\" must match as a phrase; -word excludes.")
    @Argument(help: "The query (several arguments are joined with spaces).") var query: [String]
    @OptionGroup var search: SearchOptions
    @OptionGroup var options: ClientOptions
    func run() throws { try options.run(Request(.search(search.parameters(query))), render: Rendering.results) }
}

struct Map: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map", abstract: "Map a job title to emploi-types, weighing the cards' appellations most.")
    @Argument(help: "The job title (several arguments are joined with spaces).") var title: [String]
    @OptionGroup var search: SearchOptions
    @OptionGroup var options: ClientOptions
    func run() throws { try options.run(Request(.map(search.parameters(title))), render: Rendering.results) }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one card with every field, by id (e.g. concepteur-developpeur).")
    @Argument(help: "The card's id.") var id: String
    @OptionGroup var options: ClientOptions
    func run() throws { try options.run(Request(.show(card: id)), render: Rendering.show) }
}

struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar", abstract: "The cards closest to a card, with the words they share (Xapian relevance-set expansion).")
    @Argument(help: "The card's id.") var id: String
    @Option(help: "How many cards (1-100).") var limit = 5
    @OptionGroup var options: ClientOptions
    func run() throws { try options.run(Request(.similar(card: id, limit: limit)), render: Rendering.similar) }
}

struct Rome: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rome",
        abstract: "Look up a ROME code (fine, e.g. M1855, or older-generation, e.g. M1805): its label, appellations and the cards that carry it.")
    @Argument(help: "The ROME code.") var code: String
    @OptionGroup var options: ClientOptions
    func run() throws { try options.run(Request(.rome(code: code)), render: Rendering.rome) }
}

struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "The daemon's status: protocol and index versions, cards, uptime.")
    @OptionGroup var options: ClientOptions
    func run() throws { try options.run(Request(.health), render: Rendering.health) }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "The daemon's counters: requests and errors, latency, connections, index, reloads.")
    @OptionGroup var options: ClientOptions
    func run() throws { try options.run(Request(.stats), render: Rendering.stats) }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Switch the daemon to the newest index now (as SIGHUP does).")
    @OptionGroup var options: ClientOptions
    func run() throws { try options.run(Request(.reload), render: Rendering.reload) }
}
