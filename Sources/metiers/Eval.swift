import ArgumentParser
import MetiersClient
import MetiersConfig
import MetiersProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure relevance on labelled query files through the running daemon.",
        discussion: """
            Each FILE is tab-separated with a header line: query, expected (comma-separated
            acceptable ids, or 'none'), note. Prints per file: n, in-scope rows, top-1, top-3 and
            MRR over in-scope rows, the share of 'none' rows answered empty, and the share of
            in-scope rows answered empty. With --floor, exits 1 when a figure falls below it.
            """)

    @Argument(help: "Labelled query files.")
    var files: [String]

    @Option(help: "Operation to evaluate: search or map.")
    var op = "search"

    @Flag(help: "List the rows answered wrongly.")
    var misses = false

    @Option(help: "Floor file: 'file top1 top3 mrr none_empty in_scope_empty_max' per line.")
    var floor: String?

    @Option(help: "Write every answer with its confidence features as JSON Lines (for Scripts/calibrate.py).")
    var dumpFeatures: String?

    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard op == "search" || op == "map" else { throw ValidationError("--op must be search or map") }
    }

    func run() throws {
        let path = try options.socketPath()
        let connection: MetiersConnection
        do {
            connection = try MetiersConnection(path: path)
        } catch {
            printError("metiers: \(error)")
            throw ExitCode(3)
        }
        var all: [Evaluation.Figures] = []
        var missLines: [String] = []
        var dump = ""
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                printError("metiers: cannot read \(file)")
                throw ExitCode(1)
            }
            let rows = try Evaluation.parse(String(decoding: data, as: UTF8.self), file: file)
            let name = String(file.split(separator: "/").last ?? Substring(file))
            let (outcomes, responses) = try answer(rows, over: connection)
            if dumpFeatures != nil {
                for (row, line) in zip(rows, responses) {
                    let answer = try JSONDecoder().decode(JSONValue.self, from: Data(line))
                    let entry = FeatureDump(row: .init(file: name, query: row.query, expected: row.expected), response: answer)
                    dump += String(decoding: try WireJSON.line(entry), as: UTF8.self) + "\n"
                }
            }
            all.append(Evaluation.figures(file: name, outcomes: outcomes))
            for outcome in outcomes where !outcome.isHit {
                let expected = outcome.row.expected.isEmpty ? "none" : outcome.row.expected.joined(separator: ",")
                let got = outcome.error ?? (outcome.returned.isEmpty ? "(empty)" : outcome.returned.prefix(3).joined(separator: ","))
                missLines.append("\(name):\(outcome.row.line)\t\(outcome.row.query)\texpected \(expected)\tgot \(got)")
            }
        }
        if let dumpFeatures {
            guard FileManager.default.createFile(atPath: dumpFeatures, contents: Data(dump.utf8)) else {
                printError("metiers: cannot write \(dumpFeatures)")
                throw ExitCode(1)
            }
        }
        print(Evaluation.table(all), terminator: "")
        if misses && !missLines.isEmpty {
            print("\nmisses:")
            for line in missLines { print(line) }
        }
        if let floor {
            guard let data = FileManager.default.contents(atPath: floor) else {
                printError("metiers: cannot read the floor file \(floor)")
                throw ExitCode(1)
            }
            let violations = Evaluation.violations(all, floors: try Evaluation.parseFloors(String(decoding: data, as: UTF8.self), file: floor))
            for v in violations { printError("below floor: \(v)") }
            if !violations.isEmpty { throw ExitCode(1) }
        }
    }

    /// Sends the rows pipelined, a window at a time, and collects the answers in order.
    private func answer(_ rows: [Evaluation.Row], over connection: MetiersConnection) throws -> ([Evaluation.Outcome], [[UInt8]]) {
        var outcomes: [Evaluation.Outcome] = []
        var lines: [[UInt8]] = []
        let window = 32
        var next = 0
        while next < rows.count {
            let batch = rows[next..<min(rows.count, next + window)]
            for (offset, row) in batch.enumerated() {
                let id = RequestID.int(Int64(next + offset))
                let operation: Request.Operation = op == "map"
                    ? .map(SearchParameters(text: row.query, limit: 10, explain: dumpFeatures != nil))
                    : .search(SearchParameters(text: row.query, limit: 10, explain: dumpFeatures != nil))
                try connection.send(line: Request(id: id, operation).encoded())
            }
            for row in batch {
                guard let line = try connection.readLine() else { throw ConnectionError.closedByDaemon }
                let response = try Response.decode(line)
                if dumpFeatures != nil { lines.append(line) }
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
