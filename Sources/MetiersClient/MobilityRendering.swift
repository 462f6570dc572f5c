import MetiersModel
import MetiersProtocol

extension MobilityGraph {
    /// Graphviz DOT of the whole graph, or of the neighbourhood of `center` within `steps` moves
    /// both ways; familles are clusters.
    public func dot(center: String? = nil, steps: Int = 1) -> String {
        var keep = Set(cards.map(\.id))
        if let center {
            keep = Set([center])
            keep.formUnion(reachable(from: center, steps: steps, forward: true).map(\.id))
            keep.formUnion(reachable(from: center, steps: steps, forward: false).map(\.id))
        }
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var out = "digraph passerelles {\n  graph [rankdir=LR, fontname=\"Helvetica\", label=\"Référentiel métiers de l'informatique: passerelles\"];\n"
        out += "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f5f5\", fontname=\"Helvetica\"];\n  edge [color=\"#777777\"];\n"
        var familles: [String] = []
        for card in cards where !familles.contains(card.famille) { familles.append(card.famille) }
        for (i, famille) in familles.enumerated() {
            let members = cards.filter { $0.famille == famille && keep.contains($0.id) }
            guard !members.isEmpty else { continue }
            out += "  subgraph cluster_\(i) {\n    label=\(quoted(famille));\n    style=rounded;\n"
            for card in members {
                let style = card.id == center ? ", fillcolor=\"#ffd966\"" : ""
                out += "    \(quoted(card.id)) [label=\(quoted(card.name))\(style)];\n"
            }
            out += "  }\n"
        }
        for (a, b) in edges where keep.contains(a) && keep.contains(b) {
            out += "  \(quoted(a)) -> \(quoted(b));\n"
        }
        return out + "}\n"
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// CSV fields (RFC 4180: quoted when they hold a comma, quote or line break).
public enum CSV {
    public static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func row(_ values: [String]) -> String {
        values.map(field).joined(separator: ",") + "\n"
    }
}

extension MobilityGraph {
    /// The cards `id` is reached from and leads to, within `steps` moves, for the terminal.
    public func text(of id: String, steps: Int) -> String {
        let names = Dictionary(uniqueKeysWithValues: cards.map { ($0.id, $0.name) })
        func list(_ found: [(id: String, distance: Int)], arrow: String) -> String {
            found.isEmpty ? "  (no passerelle given)\n"
                : found.map { "  \(String(repeating: arrow, count: $0.distance)) \(names[$0.id] ?? $0.id)  [\($0.id)]\n" }.joined()
        }
        return "\(names[id] ?? id)  [\(id)]\n\ncomes from (up to \(steps) step\(steps > 1 ? "s" : "")):\n"
            + list(reachable(from: id, steps: steps, forward: false), arrow: "←")
            + "\ncan go to:\n" + list(reachable(from: id, steps: steps, forward: true), arrow: "→")
    }

    /// `mobility --json`: the cards reachable each way, with their distance in moves.
    public func paths(of id: String, steps: Int) -> Paths {
        func found(_ forward: Bool) -> [Paths.Step] {
            reachable(from: id, steps: steps, forward: forward).map { Paths.Step(id: $0.id, steps: $0.distance) }
        }
        return Paths(id: id, from: found(false), to: found(true))
    }

    public struct Paths: Encodable, Sendable {
        public struct Step: Encodable, Sendable {
            public var id: String
            public var steps: Int
        }

        public var id: String
        public var from: [Step]
        public var to: [Step]
    }
}

extension MobilityGraph {
    /// What `metiers mobility` prints: DOT (the whole graph, or `center`'s neighbourhood), the
    /// paths as one JSON line, or text; `not_found` for an id no card has.
    public func rendered(center: String?, steps: Int, dot: Bool, json: Bool) throws(ClientFailure) -> String {
        if let center, !cards.contains(where: { $0.id == center }) {
            throw .daemon(ProtocolError(.notFound, "no emploi-type has the id '\(center)'"))
        }
        if dot { return self.dot(center: center, steps: steps) }
        guard let center else { return "" }
        guard json else { return text(of: center, steps: steps) }
        do {
            return String(decoding: try WireJSON.line(paths(of: center, steps: steps)), as: UTF8.self) + "\n"
        } catch {
            throw .input("cannot encode the paths: \(error)")
        }
    }
}
