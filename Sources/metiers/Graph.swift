import ArgumentParser
import MetiersClient
import MetiersModel
import MetiersProtocol

struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "The cards closest to a card, with the terms they share (Xapian relevance-set expansion).")

    @Argument(help: "The card's id.")
    var id: String

    @Option(help: "How many cards (1-100).")
    var limit = 5

    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Request(.similar(card: id, limit: limit))) { response in
            guard case .similar(let body) = response.body else { return "" }
            let rows = body.results.enumerated().map { i, r in
                [String(i + 1), r.id, r.famille, Rendering.formatScore(r.confidence), (r.sharedTerms ?? []).prefix(8).joined(separator: " ")]
            }
            return Rendering.table(header: ["#", "id", "famille", "similarity", "shared terms"], rows: rows)
        }
    }
}

struct Mobility: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mobility",
        abstract: "Career paths from the passerelles: where people come from and where they can go.",
        discussion: "With --dot, writes Graphviz DOT (the whole graph, or the neighbourhood of ID): metiers mobility --dot | dot -Tsvg > passerelles.svg")

    @Argument(help: "The card's id (optional with --dot).")
    var id: String?

    @Option(help: "Moves to follow in each direction.")
    var steps = 1

    @Flag(help: "Write Graphviz DOT instead of a table.")
    var dot = false

    @OptionGroup var options: ClientOptions

    func validate() throws {
        if id == nil && !dot { throw ValidationError("give a card id, or --dot for the whole graph") }
        if steps < 1 || steps > 10 { throw ValidationError("--steps must be between 1 and 10") }
    }

    func run() throws {
        let cards = try options.cards()
        let graph = MobilityGraph(cards: cards)
        if let id, !cards.contains(where: { $0.id == id }) {
            printError("metiers: not_found: no emploi-type has the id '\(id)'")
            throw ExitCode(2)
        }
        if dot {
            print(graph.dot(center: id, steps: steps), terminator: "")
            return
        }
        guard let id else { return }
        let names = Dictionary(uniqueKeysWithValues: cards.map { ($0.id, $0.name) })
        var out = "\(names[id] ?? id)  [\(id)]\n\ncomes from (up to \(steps) step\(steps > 1 ? "s" : "")):\n"
        let from = graph.reachable(from: id, steps: steps, forward: false)
        out += from.isEmpty ? "  (no passerelle given)\n" : from.map { "  \(String(repeating: "←", count: $0.distance)) \(names[$0.id] ?? $0.id)  [\($0.id)]\n" }.joined()
        out += "\ncan go to:\n"
        let to = graph.reachable(from: id, steps: steps, forward: true)
        out += to.isEmpty ? "  (no passerelle given)\n" : to.map { "  \(String(repeating: "→", count: $0.distance)) \(names[$0.id] ?? $0.id)  [\($0.id)]\n" }.joined()
        if options.json {
            let paths = Paths(id: id, from: from.map { Paths.Step(id: $0.id, steps: $0.distance) }, to: to.map { Paths.Step(id: $0.id, steps: $0.distance) })
            print(String(decoding: try WireJSON.line(paths), as: UTF8.self))
        } else {
            print(out, terminator: "")
        }
    }
}

/// `mobility --json`: the cards reachable each way, with their distance in moves.
private struct Paths: Encodable {
    struct Step: Encodable {
        var id: String
        var steps: Int
    }

    var id: String
    var from: [Step]
    var to: [Step]
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every card (id, name, famille, sous-famille, ROME codes, appellations) as JSON Lines or CSV.",
        discussion: "JSON Lines give each card's summary as the daemon's `cards` operation does, passerelles (origines, evolutions) included.")

    @Option(help: "jsonl or csv.")
    var format = "jsonl"

    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard format == "jsonl" || format == "csv" else { throw ValidationError("--format must be jsonl or csv") }
    }

    func run() throws {
        let cards = try options.cards()
        if format == "csv" {
            var out = CSV.row(["id", "name", "famille", "sous_famille", "rome", "appellations"])
            for c in cards {
                out += CSV.row([c.id, c.name, c.famille, c.sousFamille ?? "", c.rome.joined(separator: ";"), c.appellations.joined(separator: ";")])
            }
            print(out, terminator: "")
        } else {
            for c in cards {
                print(String(decoding: try WireJSON.line(c), as: UTF8.self))
            }
        }
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "The daemon's counters: requests and errors, latency, connections, index, reloads.")

    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Request(.stats)) { response in
            guard case .stats(let body) = response.body else { return "" }
            let s = body.stats
            var out = "uptime:        \(Rendering.formatScore(s.uptimeSeconds)) s\n"
            out += "requests:      " + s.requests.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
            out += "errors:        " + (s.errors.isEmpty ? "none" : s.errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) + "\n"
            out += "latency (µs):  p50 \(s.latencyMicroseconds.p50)  p90 \(s.latencyMicroseconds.p90)  p99 \(s.latencyMicroseconds.p99)  max \(s.latencyMicroseconds.max)\n"
            out += "connections:   open \(s.connections.open), accepted \(s.connections.accepted), refused \(s.connections.refused), idle-closed \(s.connections.idleClosed)\n"
            out += "index:         \(s.index.version), built \(s.index.builtAt), reloads \(s.index.reloads), failed reloads \(s.index.reloadFailures)\n"
            if let e = s.index.lastReloadError { out += "last reload error: \(e)\n" }
            return out
        }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Switch the daemon to the newest index now (as SIGHUP does).")

    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Request(.reload)) { response in
            guard case .reload(let body) = response.body else { return "" }
            return "index \(body.previousIndexVersion) → \(response.indexVersion ?? "?")\(body.changed ? "" : " (unchanged)")\n"
        }
    }
}
