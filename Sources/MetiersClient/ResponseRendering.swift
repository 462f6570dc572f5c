import MetiersModel
import MetiersProtocol

/// Each operation's answer as the terminal shows it: one `(Response) -> String` per operation,
/// so that a CLI subcommand is a request and a renderer.
extension Rendering {
    public static func show(_ response: Response) -> String {
        guard case .show(let body) = response.body else { return "" }
        return card(body.card)
    }

    public static func rome(_ response: Response) -> String {
        guard case .rome(let body) = response.body else { return "" }
        return rome(body.rome)
    }

    /// The closest cards, with the words they share.
    public static func similar(_ response: Response) -> String {
        guard case .similar(let body) = response.body else { return "" }
        let rows = body.results.enumerated().map { i, r in
            [String(i + 1), r.id, r.famille, formatScore(r.confidence), (r.sharedTerms ?? []).prefix(8).joined(separator: " ")]
        }
        return table(header: ["#", "id", "famille", "similarity", "shared terms"], rows: rows)
    }

    public static func stats(_ response: Response) -> String {
        guard case .stats(let body) = response.body else { return "" }
        let s = body.stats
        func counts(_ c: [String: Int]) -> String { c.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
        var out = "uptime:        \(formatScore(s.uptimeSeconds)) s\n"
        out += "requests:      \(counts(s.requests))\n"
        out += "errors:        \(s.errors.isEmpty ? "none" : counts(s.errors))\n"
        let l = s.latencyMicroseconds
        out += "latency (µs):  p50 \(l.p50)  p90 \(l.p90)  p99 \(l.p99)  max \(l.max)\n"
        let c = s.connections
        out += "connections:   open \(c.open), accepted \(c.accepted), refused \(c.refused), idle-closed \(c.idleClosed)\n"
        out += "index:         \(s.index.version), built \(s.index.builtAt), reloads \(s.index.reloads), failed reloads \(s.index.reloadFailures)\n"
        if let e = s.index.lastReloadError { out += "last reload error: \(e)\n" }
        return out
    }

    public static func reload(_ response: Response) -> String {
        guard case .reload(let body) = response.body else { return "" }
        return "index \(body.previousIndexVersion) → \(response.indexVersion ?? "?")\(body.changed ? "" : " (unchanged)")\n"
    }

    /// `metiers export`: every card's summary as JSON Lines (as the `cards` operation gives
    /// them), or as CSV.
    public static func export(_ cards: [Card.Summary], csv: Bool) throws -> String {
        guard csv else { return try cards.map { String(decoding: try WireJSON.line($0), as: UTF8.self) + "\n" }.joined() }
        var out = CSV.row(["id", "name", "famille", "sous_famille", "rome", "appellations"])
        for c in cards {
            out += CSV.row([c.id, c.name, c.famille, c.sousFamille ?? "", c.rome.joined(separator: ";"), c.appellations.joined(separator: ";")])
        }
        return out
    }
}
