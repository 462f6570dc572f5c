import ArgumentParser
import MetiersClient
import MetiersConfig
import MetiersProtocol

extension ClassifyStream.Format: ExpressibleByArgument {}

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify job postings in bulk: JSON Lines {\"id\", \"title\", \"description\"} in, one line per posting out.",
        discussion: """
            Reads postings from FILE or standard input and writes, in input order, one JSON line
            per posting (the daemon's item: id, ok, results, match, or error), or CSV with
            --format csv. Streams in batches, so memory stays flat whatever the input size. An
            input line that is not a JSON object is reported on stderr with its line number and
            skipped. A progress line goes to stderr when stderr is a terminal.
            """)
    @Argument(help: "JSON Lines file of postings (default: standard input).") var file: String?
    @Option(help: "Postings per request (1-1000).") var batch = 500
    @Option(help: "Emploi-types per posting (1-100).") var limit = 3
    @Option(help: "jsonl or csv.") var format = ClassifyStream.Format.jsonl
    @OptionGroup var options: ClientOptions
    func validate() throws {
        guard (1...RequestLimits.maxPostings).contains(batch) else { throw ValidationError("--batch must be between 1 and \(RequestLimits.maxPostings)") }
        guard (1...RequestLimits.maxLimit).contains(limit) else { throw ValidationError("--limit must be between 1 and \(RequestLimits.maxLimit)") }
    }
    func run() throws {
        let client = try options.client()
        let stream = ClassifyStream(batch: batch, limit: limit, format: format)
        let summary = try options.guarded { () throws(ClientFailure) in
            try stream.run(path: file, over: try client.connect(), note: StandardError.write)
        }
        if summary.skipped > 0 {
            StandardError.line("metiers: \(summary.skipped) input line\(summary.skipped > 1 ? "s" : "") skipped (see above); \(summary.classified) postings classified")
        }
    }
}
