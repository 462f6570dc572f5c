import ArgumentParser
import MetiersClient
import MetiersProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

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

    @Argument(help: "JSON Lines file of postings (default: standard input).")
    var file: String?

    @Option(help: "Postings per request (1-1000).")
    var batch = 500

    @Option(help: "Emploi-types per posting (1-100).")
    var limit = 3

    @Option(help: "jsonl or csv.")
    var format = "jsonl"

    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard (1...RequestLimits.maxPostings).contains(batch) else { throw ValidationError("--batch must be between 1 and \(RequestLimits.maxPostings)") }
        guard (1...RequestLimits.maxLimit).contains(limit) else { throw ValidationError("--limit must be between 1 and \(RequestLimits.maxLimit)") }
        guard format == "jsonl" || format == "csv" else { throw ValidationError("--format must be jsonl or csv") }
    }

    func run() throws {
        guard let input = file.map({ fopen($0, "r") }) ?? fdopen(0, "r") else {
            printError("metiers: cannot read \(file ?? "standard input")")
            throw ExitCode(1)
        }
        defer { if file != nil { fclose(input) } }
        let total = file.flatMap(Self.countLines)
        let connection = try options.connect()
        let progress = isatty(2) != 0 ? Progress(total: total) : nil
        var output = OutputBuffer()
        if format == "csv" {
            output.write(CSV.row(["id", "ok", "match", "rank", "emploi_type", "name", "famille", "sous_famille", "rome", "confidence", "error"]))
        }
        var lineNumber = 0
        var skipped = 0
        var done = 0
        var inFlight: [Int] = []  // posting counts of requests sent and not yet answered
        var pending: [Posting] = []
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }

        func send() throws {
            guard !pending.isEmpty else { return }
            try connection.send(line: Request(.classify(ClassifyParameters(postings: pending, limit: limit))).encoded())
            inFlight.append(pending.count)
            pending.removeAll(keepingCapacity: true)
        }
        func receive() throws {
            guard !inFlight.isEmpty else { return }
            inFlight.removeFirst()
            guard let bytes = try connection.readLine() else { throw ConnectionError.closedByDaemon }
            let response = try Response.decode(bytes)
            if let error = response.error {
                printError("metiers: \(error.code.rawValue): \(error.message)")
                throw ExitCode(1)
            }
            guard case .classify(let body) = response.body else { return }
            for item in body.items {
                write(item, to: &output)
                done += 1
            }
            output.flush()
            progress?.update(done: done)
        }

        while true {
            let n = getline(&line, &capacity, input)
            if n < 0 { break }
            lineNumber += 1
            var bytes = Array(UnsafeRawBufferPointer(start: line, count: n))
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)), case .object = value else {
                printError("metiers: line \(lineNumber): not a JSON object (truncated or invalid); skipped")
                skipped += 1
                continue
            }
            pending.append(Posting.decode(value, line: lineNumber))
            if pending.count == batch {
                try send()
                // Two batches in flight keep both of the daemon's cores busy.
                if inFlight.count > 1 { try receive() }
            }
        }
        try send()
        while !inFlight.isEmpty { try receive() }
        output.flush()
        progress?.finish(done: done)
        if skipped > 0 {
            printError("metiers: \(skipped) input line\(skipped > 1 ? "s" : "") skipped (see above); \(done) postings classified")
        }
    }

    private func write(_ item: ClassifiedItem, to output: inout OutputBuffer) {
        if format == "jsonl" {
            output.write(((try? String(decoding: WireJSON.line(item), as: UTF8.self)) ?? "{}") + "\n")
            return
        }
        let id: String = switch item.id {
        case .string(let s)?: s
        case .int(let i)?: String(i)
        case .double(let d)?: String(d)
        default: ""
        }
        let best = item.results?.first
        output.write(CSV.row([
            id, item.ok ? "true" : "false", item.match ?? "", best == nil ? "" : "1", best?.id ?? "", best?.name ?? "",
            best?.famille ?? "", best?.sousFamille ?? "", best?.rome.joined(separator: ";") ?? "",
            best.map { String($0.confidence) } ?? "", item.error.map { "\($0.code.rawValue): \($0.message)" } ?? "",
        ]))
    }

    /// Lines in a file (for the progress total); nil when it cannot be read.
    static func countLines(_ path: String) -> Int? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n == 0 { break }
            for i in 0..<n where buffer[i] == 0x0A { count += 1 }
        }
        return count
    }
}

extension Posting {
    /// A posting read from an input line; the daemon checks the fields and answers a bad one
    /// with an error item.
    static func decode(_ value: JSONValue, line: Int) -> Posting {
        guard case .object(let o) = value else { return .invalid(id: .int(Int64(line)), ProtocolError(.badRequest, "line \(line) is not an object")) }
        func text(_ key: String) -> String? {
            if case .string(let s)? = o[key] { return s }
            return nil
        }
        // Fields of the wrong type are sent as they are so that the daemon names the problem.
        if let bad = ["title", "description"].first(where: { o[$0] != nil && text($0) == nil && o[$0] != .null }) {
            return .invalid(id: o["id"], ProtocolError(.badRequest, "line \(line): '\(bad)' must be a string"))
        }
        return .valid(id: o["id"], title: text("title"), description: text("description"))
    }
}

/// Buffered standard output.
struct OutputBuffer {
    private var bytes: [UInt8] = []

    mutating func write(_ s: String) {
        bytes.append(contentsOf: s.utf8)
        if bytes.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            #elseif canImport(Darwin)
            let n = bytes[offset...].withUnsafeBytes { Darwin.write(1, $0.baseAddress, $0.count) }
            #endif
            if n <= 0 { break }
            offset += n
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// "\r12000/50000 postings  8123/s" on stderr.
final class Progress {
    let total: Int?
    let started = ContinuousClock.now
    var last = ContinuousClock.now

    init(total: Int?) { self.total = total }

    func update(done: Int) {
        guard ContinuousClock.now - last > .milliseconds(200) else { return }
        last = .now
        StandardErrorLine.write("\r\(done)\(total.map { "/\($0)" } ?? "") postings  \(rate(done))/s   ")
    }

    func finish(done: Int) {
        StandardErrorLine.write("\r\(done)\(total.map { "/\($0)" } ?? "") postings  \(rate(done))/s\n")
    }

    private func rate(_ done: Int) -> Int {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Int(Double(done) / seconds) : 0
    }
}

enum StandardErrorLine {
    static func write(_ s: String) {
        var s = s
        #if canImport(Glibc)
        s.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
        #elseif canImport(Darwin)
        s.withUTF8 { _ = Darwin.write(2, $0.baseAddress, $0.count) }
        #endif
    }
}
