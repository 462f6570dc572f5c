/// The one table the bench prints.
struct Report {
    struct Row {
        var section: String
        var what: String
        var p50: String
        var p99: String
        var other: String
        var target: String
        var met: String
    }

    private(set) var rows: [Row] = []

    mutating func add(_ section: String, _ what: String, p50: String = "", p99: String = "", other: String = "", target: String = "", met: Bool? = nil) {
        rows.append(Row(section: section, what: what, p50: p50, p99: p99, other: other, target: target,
                        met: met.map { $0 ? "✓" : "✗" } ?? ""))
    }

    mutating func add(_ section: String, _ what: String, samples: Samples, other: String = "", target: String = "", met: Bool? = nil) {
        if samples.isEmpty {
            add(section, what, p50: "–", p99: "–", other: other, target: target, met: met)
        } else {
            add(section, what, p50: Format.latency(samples.p50), p99: Format.latency(samples.p99), other: other, target: target, met: met)
        }
    }

    func markdown() -> String {
        let header = ["§", "measurement", "p50", "p99", "other figures", "target", "met"]
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        for r in rows {
            let cells = [r.section, r.what, r.p50, r.p99, r.other, r.target, r.met].map { $0.escapingPipes() }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func escapingPipes() -> String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
