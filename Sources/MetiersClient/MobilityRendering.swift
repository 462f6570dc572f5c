import MetiersModel

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
