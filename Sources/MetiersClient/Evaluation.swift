/// Relevance evaluation over labelled query files (`query<TAB>expected<TAB>note`, one header
/// line; `expected` is comma-separated acceptable ids best first, or `none`).
public enum Evaluation {
    /// One labelled query.
    public struct Row: Equatable, Sendable {
        public var query: String
        /// Acceptable ids; empty for `none` (nothing fits).
        public var expected: [String]
        public var line: Int
    }

    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    /// Reads a labelled file.
    public static func parse(_ text: String, file: String) throws -> [Row] {
        var rows: [Row] = []
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if number == 1 {
                guard raw.hasPrefix("query\texpected") else {
                    throw FormatError(file: file, line: 1, message: "expected the header 'query<TAB>expected<TAB>note'")
                }
                continue
            }
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.trimmingCharacters(in: " ").isEmpty { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw FormatError(file: file, line: number, message: "expected 'query<TAB>expected[<TAB>note]'")
            }
            let expected = fields[1] == "none" ? [] : fields[1].split(separator: ",").map { String($0).trimmingCharacters(in: " ") }
            rows.append(Row(query: String(fields[0]), expected: expected, line: number))
        }
        return rows
    }

    /// What was answered for one row.
    public struct Outcome: Equatable, Sendable {
        public var row: Row
        /// Ids returned, best first (empty: "no match").
        public var returned: [String]
        /// An error code instead of an answer.
        public var error: String?

        public init(row: Row, returned: [String], error: String?) {
            self.row = row
            self.returned = returned
            self.error = error
        }

        /// 1-based rank of the first acceptable id, nil when none is returned.
        public var rank: Int? {
            returned.firstIndex { row.expected.contains($0) }.map { $0 + 1 }
        }

        /// Whether the answer is right: an acceptable id first, or empty for `none`.
        public var isHit: Bool { row.expected.isEmpty ? returned.isEmpty && error == nil : rank == 1 }
    }

    /// Figures for one file.
    public struct Figures: Equatable, Sendable {
        public var file: String
        public var count: Int
        public var inScope: Int
        public var outOfScope: Int
        /// Over in-scope rows.
        public var top1: Double
        public var top3: Double
        public var mrr: Double
        /// Share of `none` rows answered with nothing (nil when the file has none).
        public var noneAnsweredEmpty: Double?
        /// Share of in-scope rows answered with nothing.
        public var inScopeAnsweredEmpty: Double
        public var errors: Int
    }

    public static func figures(file: String, outcomes: [Outcome]) -> Figures {
        let inScope = outcomes.filter { !$0.row.expected.isEmpty }
        let outOfScope = outcomes.filter { $0.row.expected.isEmpty }
        func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
        let top1 = inScope.filter { $0.rank == 1 }.count
        let top3 = inScope.filter { ($0.rank ?? 99) <= 3 }.count
        let mrr = inScope.reduce(0.0) { $0 + ($1.rank.map { 1.0 / Double($0) } ?? 0) }
        return Figures(
            file: file, count: outcomes.count, inScope: inScope.count, outOfScope: outOfScope.count,
            top1: share(top1, inScope.count), top3: share(top3, inScope.count),
            mrr: inScope.isEmpty ? 0 : mrr / Double(inScope.count),
            noneAnsweredEmpty: outOfScope.isEmpty ? nil : share(outOfScope.filter { $0.returned.isEmpty && $0.error == nil }.count, outOfScope.count),
            inScopeAnsweredEmpty: share(inScope.filter { $0.returned.isEmpty }.count, inScope.count),
            errors: outcomes.filter { $0.error != nil }.count)
    }

    /// The figures as a table.
    public static func table(_ all: [Figures]) -> String {
        func f(_ x: Double) -> String {
            let s = String((x * 1000).rounded() / 1000)
            return s.count < 5 ? s + String(repeating: "0", count: 5 - s.count) : s
        }
        let rows = all.map { fig in
            [
                fig.file, String(fig.count), String(fig.inScope), f(fig.top1), f(fig.top3), f(fig.mrr),
                fig.noneAnsweredEmpty.map(f) ?? "-", f(fig.inScopeAnsweredEmpty), String(fig.errors),
            ]
        }
        return Rendering.table(header: ["file", "n", "in-scope", "top-1", "top-3", "MRR", "none→empty", "in-scope→empty", "errors"], rows: rows)
    }

    /// A committed floor: minimum figures per file name.
    public struct Floor: Equatable, Sendable {
        public var file: String
        public var top1: Double
        public var top3: Double
        public var mrr: Double
        public var noneAnsweredEmpty: Double
        /// A ceiling, not a floor: at most this share of in-scope rows answered empty.
        public var inScopeAnsweredEmptyAtMost: Double
    }

    /// Reads a floor file: `file  top1  top3  mrr  none_empty  in_scope_empty_max`, tab-separated,
    /// `#` comments.
    public static func parseFloors(_ text: String, file: String) throws -> [Floor] {
        var floors: [Floor] = []
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.trimmingCharacters(in: " \r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count == 6, let t1 = Double(fields[1]), let t3 = Double(fields[2]), let m = Double(fields[3]),
                let ne = Double(fields[4]), let ie = Double(fields[5])
            else {
                throw FormatError(file: file, line: number, message: "expected 'file top1 top3 mrr none_empty in_scope_empty_max'")
            }
            floors.append(Floor(file: String(fields[0]), top1: t1, top3: t3, mrr: m, noneAnsweredEmpty: ne, inScopeAnsweredEmptyAtMost: ie))
        }
        return floors
    }

    /// The figures below their floor, as messages; empty when all hold.
    public static func violations(_ figures: [Figures], floors: [Floor]) -> [String] {
        var messages: [String] = []
        for floor in floors {
            guard let fig = figures.first(where: { $0.file == floor.file }) else { continue }
            let epsilon = 1e-9
            if fig.top1 + epsilon < floor.top1 { messages.append("\(fig.file): top-1 \(fig.top1) is below the floor \(floor.top1)") }
            if fig.top3 + epsilon < floor.top3 { messages.append("\(fig.file): top-3 \(fig.top3) is below the floor \(floor.top3)") }
            if fig.mrr + epsilon < floor.mrr { messages.append("\(fig.file): MRR \(fig.mrr) is below the floor \(floor.mrr)") }
            if let ne = fig.noneAnsweredEmpty, ne + epsilon < floor.noneAnsweredEmpty {
                messages.append("\(fig.file): none→empty \(ne) is below the floor \(floor.noneAnsweredEmpty)")
            }
            if fig.inScopeAnsweredEmpty > floor.inScopeAnsweredEmptyAtMost + epsilon {
                messages.append("\(fig.file): in-scope→empty \(fig.inScopeAnsweredEmpty) is above the ceiling \(floor.inScopeAnsweredEmptyAtMost)")
            }
        }
        return messages
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
