import ArgumentParser
import MetiersClient
import MetiersConfig

extension EvaluationRun.Operation: ExpressibleByArgument {}

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
    @Argument(help: "Labelled query files.") var files: [String]
    @Option(help: "Operation to evaluate: search or map.") var op = EvaluationRun.Operation.search
    @Flag(help: "List the rows answered wrongly.") var misses = false
    @Option(help: "Floor file: 'file top1 top3 mrr none_empty in_scope_empty_max' per line.") var floor: String?
    @Option(help: "Write every answer with its confidence features as JSON Lines (for Scripts/calibrate.py).") var dumpFeatures: String?
    @OptionGroup var options: ClientOptions
    func run() throws {
        let client = try options.client()
        let evaluation = EvaluationRun(operation: op, dumpFeatures: dumpFeatures != nil)
        let result = try options.guarded { () throws(ClientFailure) in
            let result = try evaluation.run(files: files, over: try client.connect())
            if let dumpFeatures { try EvaluationRun.write(result.dump, to: dumpFeatures) }
            return result
        }
        print(Evaluation.table(result.figures), terminator: "")
        if misses && !result.misses.isEmpty { print("\nmisses:\n" + result.misses.joined(separator: "\n")) }
        guard let floor else { return }
        let violations = try options.guarded { () throws(ClientFailure) in try EvaluationRun.violations(result.figures, floorFile: floor) }
        for v in violations { StandardError.line("below floor: \(v)") }
        if !violations.isEmpty { throw ExitCode(1) }
    }
}
