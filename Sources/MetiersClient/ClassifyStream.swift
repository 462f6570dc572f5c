#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bulk classification as a stream: JSON Lines postings in, one line per posting out, in input
/// order, in batches pipelined two deep so that memory stays flat whatever the input's size.
public struct ClassifyStream {
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, csv
    }

    public var batch: Int
    public var limit: Int
    public var format: Format

    public init(batch: Int, limit: Int, format: Format) {
        self.batch = batch
        self.limit = limit
        self.format = format
    }

    public struct Summary: Equatable, Sendable {
        public var classified = 0
        public var skipped = 0
    }

    /// Reads postings from `path` (standard input when nil), writes answers to standard output,
    /// and gives `note` what goes to standard error: each skipped line's message and, when
    /// standard error is a terminal, progress lines (starting with a carriage return).
    public func run(path: String?, over connection: MetiersConnection, note: (String) -> Void) throws(ClientFailure) -> Summary {
        let progress = isatty(2) != 0
        guard let input = path.map({ fopen($0, "r") }) ?? fdopen(0, "r") else {
            throw .input("cannot read \(path ?? "standard input")")
        }
        defer { if path != nil { fclose(input) } }
        var state = State(stream: self, connection: connection, progress: progress ? Progress(total: path.flatMap(Self.countLines)) : nil)
        if format == .csv { state.output.write(CSV.row(Self.csvHeader)) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        var lineNumber = 0
        let decoder = JSONDecoder()
        try ClientFailure.catching {
            while true {
                let n = getline(&line, &capacity, input)
                if n < 0 { break }
                lineNumber += 1
                var bytes = Array(UnsafeRawBufferPointer(start: line, count: n))
                while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                guard let value = try? decoder.decode(JSONValue.self, from: Data(bytes)), case .object = value else {
                    note("metiers: line \(lineNumber): not a JSON object (truncated or invalid); skipped\n")
                    state.summary.skipped += 1
                    continue
                }
                try state.add(Posting.decode(value, line: lineNumber), note: note)
            }
            try state.finish(note: note)
        }
        return state.summary
    }

    /// The requests in flight and what has been written.
    private struct State {
        let stream: ClassifyStream
        let connection: MetiersConnection
        let progress: Progress?
        var output = OutputBuffer()
        var summary = Summary()
        var inFlight: [Int] = []
        var pending: [Posting] = []

        mutating func add(_ posting: Posting, note: (String) -> Void) throws {
            pending.append(posting)
            guard pending.count == stream.batch else { return }
            try send()
            // Two batches in flight keep both of the daemon's cores busy.
            if inFlight.count > 1 { try receive(note: note) }
        }

        mutating func finish(note: (String) -> Void) throws {
            try send()
            while !inFlight.isEmpty { try receive(note: note) }
            output.flush()
            progress.map { note($0.finish(done: summary.classified)) }
        }

        mutating func send() throws {
            guard !pending.isEmpty else { return }
            try connection.send(line: try Request(.classify(ClassifyParameters(postings: pending, limit: stream.limit))).encoded())
            inFlight.append(pending.count)
            pending.removeAll(keepingCapacity: true)
        }

        mutating func receive(note: (String) -> Void) throws {
            inFlight.removeFirst()
            guard let bytes = try connection.readLine() else { throw ConnectionError.closedByDaemon }
            let response = try DaemonClient.decode(bytes)
            if let error = response.error { throw ClientFailure.daemon(error) }
            guard case .classify(let body) = response.body else { return }
            for item in body.items {
                output.write(try stream.line(item))
                summary.classified += 1
            }
            output.flush()
            if let line = progress?.update(done: summary.classified) { note(line) }
        }
    }

    static let csvHeader = ["id", "ok", "match", "rank", "emploi_type", "name", "famille", "sous_famille", "rome", "confidence", "error"]

    /// One posting's output line.
    func line(_ item: ClassifiedItem) throws -> String {
        if format == .jsonl { return String(decoding: try WireJSON.line(item), as: UTF8.self) + "\n" }
        let id: String = switch item.id {
        case .string(let s)?: s
        case .int(let i)?: String(i)
        case .double(let d)?: String(d)
        default: ""
        }
        let best = item.results?.first
        return CSV.row([
            id, item.ok ? "true" : "false", item.match ?? "", best == nil ? "" : "1", best?.id ?? "", best?.name ?? "",
            best?.famille ?? "", best?.sousFamille ?? "", best?.rome.joined(separator: ";") ?? "",
            best.map { String($0.confidence) } ?? "", item.error.map { "\($0.code.rawValue): \($0.message)" } ?? "",
        ])
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

/// Buffered standard output, written with write(2).
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

/// "\r12000/50000 postings  8123/s", at most five times a second.
final class Progress {
    let total: Int?
    let started = ContinuousClock.now
    var last = ContinuousClock.now

    init(total: Int?) { self.total = total }

    func update(done: Int) -> String? {
        guard ContinuousClock.now - last > .milliseconds(200) else { return nil }
        last = .now
        return "\r\(done)\(total.map { "/\($0)" } ?? "") postings  \(rate(done))/s   "
    }

    func finish(done: Int) -> String {
        "\r\(done)\(total.map { "/\($0)" } ?? "") postings  \(rate(done))/s\n"
    }

    private func rate(_ done: Int) -> Int {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Int(Double(done) / seconds) : 0
    }
}
