#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersProtocol

/// `metiers eval`: labelled files through a running daemon, pipelined a window at a time.
public struct EvaluationRun {
    public enum Operation: String, Sendable, CaseIterable {
        case search, map
    }

    public var operation: Operation
    /// Keep every answer with its confidence features (`--dump-features`).
    public var dumpFeatures: Bool

    public init(operation: Operation, dumpFeatures: Bool) {
        self.operation = operation
        self.dumpFeatures = dumpFeatures
    }

    public struct Result {
        public var figures: [Evaluation.Figures] = []
        /// One line per row answered wrongly: `file:line  query  expected …  got …`.
        public var misses: [String] = []
        /// JSON Lines of `{row, response}`, with `dumpFeatures`.
        public var dump = ""
    }

    static let window = 32

    public func run(files: [String], over connection: MetiersConnection) throws(ClientFailure) -> Result {
        var result = Result()
        try ClientFailure.catching {
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { throw ClientFailure.input("cannot read \(file)") }
                let rows = try Evaluation.parse(String(decoding: data, as: UTF8.self), file: file)
                let name = String(file.split(separator: "/").last ?? Substring(file))
                let (outcomes, responses) = try answer(rows, over: connection)
                for (row, line) in zip(rows, responses) {
                    let entry = FeatureDump(row: .init(file: name, query: row.query, expected: row.expected),
                                            response: try JSONDecoder().decode(JSONValue.self, from: Data(line)))
                    result.dump += String(decoding: try WireJSON.line(entry), as: UTF8.self) + "\n"
                }
                result.figures.append(Evaluation.figures(file: name, outcomes: outcomes))
                for outcome in outcomes where !outcome.isHit {
                    let expected = outcome.row.expected.isEmpty ? "none" : outcome.row.expected.joined(separator: ",")
                    let got = outcome.error ?? (outcome.returned.isEmpty ? "(empty)" : outcome.returned.prefix(3).joined(separator: ","))
                    result.misses.append("\(name):\(outcome.row.line)\t\(outcome.row.query)\texpected \(expected)\tgot \(got)")
                }
            }
        }
        return result
    }

    /// Sends the rows pipelined, a window at a time, and collects the answers in order (the
    /// answer lines only when dumping).
    private func answer(_ rows: [Evaluation.Row], over connection: MetiersConnection) throws -> ([Evaluation.Outcome], [[UInt8]]) {
        var outcomes: [Evaluation.Outcome] = []
        var lines: [[UInt8]] = []
        var next = 0
        while next < rows.count {
            let batch = rows[next..<min(rows.count, next + Self.window)]
            for (offset, row) in batch.enumerated() {
                let parameters = SearchParameters(text: row.query, limit: 10, explain: dumpFeatures)
                let id = RequestID.int(Int64(next + offset))
                try connection.send(line: try Request(id: id, operation == .map ? .map(parameters) : .search(parameters)).encoded())
            }
            for row in batch {
                guard let line = try connection.readLine() else { throw ConnectionError.closedByDaemon }
                let response = try DaemonClient.decode(line)
                if dumpFeatures { lines.append(line) }
                let returned: [String] = switch response.body {
                case .search(let body), .map(let body): body.results.map(\.id)
                default: []
                }
                outcomes.append(Evaluation.Outcome(row: row, returned: returned, error: response.error?.code.rawValue))
            }
            next += batch.count
        }
        return (outcomes, lines)
    }
}

/// One line of `--dump-features`: the labelled row and the daemon's response as it came.
private struct FeatureDump: Encodable {
    struct Row: Encodable {
        var file: String
        var query: String
        var expected: [String]
    }

    var row: Row
    var response: JSONValue
}

extension EvaluationRun {
    /// Writes the `--dump-features` lines to `path`.
    public static func write(_ dump: String, to path: String) throws(ClientFailure) {
        guard FileManager.default.createFile(atPath: path, contents: Data(dump.utf8)) else { throw .input("cannot write \(path)") }
    }

    /// The figures below the floors of `floorFile`, as messages.
    public static func violations(_ figures: [Evaluation.Figures], floorFile: String) throws(ClientFailure) -> [String] {
        guard let data = FileManager.default.contents(atPath: floorFile) else { throw .input("cannot read the floor file \(floorFile)") }
        do {
            return Evaluation.violations(figures, floors: try Evaluation.parseFloors(String(decoding: data, as: UTF8.self), file: floorFile))
        } catch {
            throw .input("\(error)")
        }
    }
}
