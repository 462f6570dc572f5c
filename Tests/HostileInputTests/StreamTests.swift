import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The byte stream itself: oversized lines, pipelining, clients that vanish, half-close, tiny
/// writes, blank lines and CRLF, many clients at once.
final class StreamTests: HostileTestCase {
    func parse(_ line: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    /// A 100 MiB line streamed in 1 MiB chunks: one `line_too_long`, the connection closed, and
    /// the daemon never holds the line (its resident memory stays near where it was).
    func testA100MiBLineIsRefusedAndNotBuffered() throws {
        let daemon = try daemon
        let before = try XCTUnwrap(daemon.memory())
        let client = try connect()
        var chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        let head = Array(#"{"op":"search","query":""#.utf8)
        chunk.replaceSubrange(0..<head.count, with: head)
        var sent = 0
        var peak = before.rss
        var stoppedBy: Wire.Failure?
        for i in 0..<100 {
            if i == 1 { chunk.replaceSubrange(0..<head.count, with: [UInt8](repeating: UInt8(ascii: "a"), count: head.count)) }
            do {
                try client.write(chunk, timeout: 10)
                sent += chunk.count
            } catch let failure as Wire.Failure {
                stoppedBy = failure
                break
            }
            if i % 4 == 0, let now = daemon.memory() { peak = max(peak, now.rss) }
        }
        if stoppedBy == nil { try? client.write([0x0A], timeout: 5) }
        let ending = client.waitForClose(timeout: 10)
        let after = try XCTUnwrap(daemon.memory())
        if case .timeout? = stoppedBy {
            XCTFail("the daemon stopped reading after \(sent) bytes without closing the connection")
        }
        XCTAssertEqual(ending.lines.count, 1, "exactly one response: \(ending.lines.map { $0.prefix(200) })")
        XCTAssertEqual(ending.lines.first.flatMap(parse)?.errorCode, "line_too_long", "\(ending.lines.map { $0.prefix(200) })")
        XCTAssertNil(ending.lines.first.flatMap(parse)?["id"] ?? nil, "no id could be read")
        XCTAssertTrue(ending.closed, "the connection is closed after line_too_long")
        let margin = HostileLimits.memoryMarginKiB
        XCTAssertLessThan(peak, before.rss + margin, "resident memory while streaming: \(peak / 1024) MiB, before \(before.rss / 1024) MiB (sent \(sent >> 20) MiB)")
        XCTAssertLessThan(after.hwm, max(before.hwm, before.rss + margin), "high-water mark \(after.hwm / 1024) MiB, was \(before.hwm / 1024) MiB, resident before \(before.rss / 1024) MiB")
        XCTAssertLessThan(after.rss, before.rss + margin, "after: \(after), before: \(before)")
    }

    /// The limit is on the line: a line of exactly the limit is served, one byte more is not.
    func testTheLineLimitBoundary() throws {
        let maxLine = try daemon.maxLineBytes
        func padded(_ length: Int) -> String {
            let head = #"{"op":"health","id":"edge""#
            return head + String(repeating: " ", count: length - head.utf8.count - 1) + "}"
        }
        let exact = try connect()
        let response = try exact.request(padded(maxLine))
        XCTAssertEqual(response.ok, true, "a line of exactly --max-line-bytes is served: \(response)")
        XCTAssertEqual(response["id"] as? String, "edge")
        XCTAssertEqual(try exact.request(#"{"op":"health"}"#).ok, true, "and the connection carries on")

        let over = try connect()
        try over.send(padded(maxLine + 1))
        let ending = over.waitForClose(timeout: 10)
        XCTAssertEqual(ending.lines.first.flatMap(parse)?.errorCode, "line_too_long", "\(ending.lines.map { $0.prefix(200) })")
        XCTAssertTrue(ending.closed)
    }

    /// Requests before an oversized line in the same write are answered, in order, then the
    /// oversized line gets line_too_long, then the connection closes; what followed it is not
    /// answered.
    func testRequestsBeforeAnOversizedLineAreAnswered() throws {
        let maxLine = try daemon.maxLineBytes
        var batch = ""
        for i in 0..<5 { batch += #"{"op":"health","id":\#(i)}"# + "\n" }
        batch += #"{"op":"search","query":""# + String(repeating: "b", count: maxLine) + "\"}\n"
        batch += #"{"op":"health","id":"after"}"# + "\n"
        let client = try connect()
        try client.write(Array(batch.utf8))
        let ending = client.waitForClose(timeout: 10)
        let responses = ending.lines.compactMap(parse)
        XCTAssertEqual(responses.prefix(5).map { $0["id"] as? Int }, [0, 1, 2, 3, 4], "\(ending.lines.map { $0.prefix(120) })")
        XCTAssertEqual(responses.count, 6, "five answers and line_too_long, nothing after: \(ending.lines.map { $0.prefix(120) })")
        XCTAssertEqual(responses.last?.errorCode, "line_too_long")
        XCTAssertTrue(ending.closed)
    }

    /// 5,000 requests (valid and not) in one write: 5,000 answers, in order.
    func testThousandsOfPipelinedRequestsInOneWrite() throws {
        let count = 5_000
        var batch = ""
        for i in 0..<count {
            switch i % 5 {
            case 0: batch += #"{"op":"search","query":"chef de projet","limit":1,"id":\#(i)}"#
            case 1: batch += #"{"op":"health","id":\#(i)}"#
            case 2: batch += #"{"op":"map","title":"développeur java","limit":2,"id":\#(i)}"#
            case 3: batch += #"{"op":"show","card":"nobody","id":\#(i)}"#
            default: batch += #"{"op":"search","query":5,"id":\#(i)}"#
            }
            batch += "\n"
        }
        let client = try connect()
        let bytes = Array(batch.utf8)
        let writer = DispatchQueue(label: "writer")
        let written = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var writeError: (any Error)?
        writer.async {
            do { try client.write(bytes, timeout: 60) } catch { writeError = error }
            written.signal()
        }
        var outOfOrder: [String] = []
        var received = 0
        do {
            for i in 0..<count {
                let response = try client.readResponse(timeout: 30)
                received += 1
                let expected = [0: "ok", 1: "ok", 2: "ok", 3: "not_found", 4: "bad_request"][i % 5]!
                if response["id"] as? Int != i || response.outcome != expected {
                    outOfOrder.append("#\(i): id \(response["id"] ?? "none"), \(response.outcome)")
                }
            }
        } catch {
            XCTFail("after \(received) of \(count) answers: \(error)")
        }
        written.wait()
        XCTAssertNil(writeError)
        XCTAssertEqual(received, count)
        XCTAssertTrue(outOfOrder.isEmpty, "\(outOfOrder.count) answers out of order or wrong, first: \(outOfOrder.prefix(5))")
        XCTAssertFalse(client.readable(within: 0.3), "no answer beyond the requests")
    }

    /// 2,000 searches in one write, then the client closes at once, before reading anything.
    /// The daemon must not crash on the writes that fail, and must not keep a fresh client
    /// waiting while it works for one that is gone.
    func testAClientThatClosesRightAfter2000Requests() throws {
        let client = try connect()
        try client.write(twoThousandSearches, timeout: 30)
        client.close()
    }

    /// The same, five clients in a row.
    func testFiveClientsThatCloseRightAfter2000Requests() throws {
        for _ in 0..<5 {
            let client = try connect()
            try client.write(twoThousandSearches, timeout: 30)
            client.close()
        }
    }

    /// A client that reads a few answers of its 2,000, then closes with answers unread (the
    /// daemon's next writes fail with ECONNRESET or EPIPE).
    func testAClientThatClosesMidResponse() throws {
        let client = try connect()
        try client.write(twoThousandSearches, timeout: 30)
        for _ in 0..<10 { _ = try client.readLine(timeout: 10) }
        client.close()
    }

    var twoThousandSearches: [UInt8] {
        var batch = ""
        for i in 0..<2_000 { batch += #"{"op":"search","query":"administrateur systèmes linux","id":\#(i)}"# + "\n" }
        return Array(batch.utf8)
    }

    /// Half-close: the client shuts down its sending side after its requests; every answer
    /// still arrives, in order, then the daemon closes.
    func testHalfCloseAfterRequestsStillGetsAnswers() throws {
        let client = try connect()
        var batch = ""
        for i in 0..<50 { batch += #"{"op":"search","query":"chef de projet","id":\#(i)}"# + "\n" }
        batch += #"{"op":"health","id":"last-without-newline"}"#
        try client.write(Array(batch.utf8))
        client.shutdownWrite()
        let ending = client.waitForClose(timeout: 15)
        let ids = ending.lines.compactMap(parse).map { $0["id"].map { "\($0)" } ?? "none" }
        XCTAssertEqual(ids, (0..<50).map { "\($0)" } + ["last-without-newline"], "all answers, in order")
        XCTAssertTrue(ending.closed, "closed once everything is answered")
    }

    /// Half-close before anything complete was sent: the partial line is still a request.
    func testHalfCloseWithOnlyAPartialLine() throws {
        let client = try connect()
        try client.write(Array(#"{"op":"health","id":"p"#.utf8))
        client.shutdownWrite()
        let ending = client.waitForClose(timeout: 10)
        XCTAssertEqual(ending.lines.compactMap(parse).map(\.outcome), ["bad_json"], "\(ending.lines)")
        XCTAssertTrue(ending.closed)
    }

    func testBlankLinesAndCRLFEndings() throws {
        let client = try connect()
        try client.write(Array("\n\r\n   \n\t\n\r\n{\"op\":\"health\",\"id\":1}\r\n\r\n\n{\"op\":\"search\",\"query\":\"développeur java\",\"id\":2}\r\n \r\n".utf8))
        let first = try client.readResponse()
        XCTAssertEqual(first["id"] as? Int, 1)
        XCTAssertEqual(first.ok, true, "\(first)")
        let second = try client.readResponse()
        XCTAssertEqual(second["id"] as? Int, 2)
        XCTAssertEqual(second.firstResultID, "concepteur-developpeur", "\\r does not stick to the query: \(second)")
        let third = try client.request(#"{"op":"health","id":3}"#)
        XCTAssertEqual(third["id"] as? Int, 3, "blank lines get no answer")
        // A lone \r in the middle is not a line end.
        let cr = try client.request("{\"op\":\"health\",\r\"id\":4}")
        XCTAssertEqual(cr["id"] as? Int, 4, "\(cr)")
        // Only \r\r\n: a blank line.
        try client.write(Array("\r\r\n".utf8))
        XCTAssertEqual(try client.request(#"{"op":"health","id":5}"#)["id"] as? Int, 5)
    }

    /// One request in single-byte writes (a UTF-8 character split across two of them) is
    /// answered like any other.
    func testARequestSplitIntoTinyWrites() throws {
        let client = try connect()
        let bytes = Array(#"{"op":"search","query":"développeur java","id":"tiny"}"#.utf8) + [0x0A]
        for byte in bytes {
            try client.write([byte])
            usleep(2_000)
        }
        let response = try client.readResponse()
        XCTAssertEqual(response["id"] as? String, "tiny")
        XCTAssertEqual(response.firstResultID, "concepteur-developpeur")
        // Two requests whose split falls everywhere: chunks of 3 bytes.
        let two = Array((#"{"op":"health","id":"a"}"# + "\n" + #"{"op":"show","card":"concepteur-developpeur","id":"b"}"# + "\n").utf8)
        var index = 0
        while index < two.count {
            try client.write(Array(two[index..<min(index + 3, two.count)]))
            index += 3
            usleep(1_000)
        }
        XCTAssertEqual(try client.readResponse()["id"] as? String, "a")
        XCTAssertEqual(try client.readResponse()["id"] as? String, "b")
    }

    /// Eight clients pipelining at once each get their own answers, in their order.
    func testConcurrentPipelinedClients() throws {
        let socket = try socket
        let clients = 8
        let perClient = 300
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: clients) { c in
            do {
                let client = try Wire(path: socket)
                var batch = ""
                for i in 0..<perClient {
                    batch += (i % 2 == 0 ? #"{"op":"search","query":"réseau","limit":3,"id":"\#(c)-\#(i)"}"# : #"{"op":"health","id":"\#(c)-\#(i)"}"#) + "\n"
                }
                try client.write(Array(batch.utf8), timeout: 30)
                for i in 0..<perClient {
                    let response = try client.readResponse(timeout: 30)
                    if response["id"] as? String != "\(c)-\(i)" || response.ok != true {
                        failures.add("client \(c) #\(i): \(response["id"] ?? "none") \(response.outcome)")
                        return
                    }
                }
            } catch {
                failures.add("client \(c): \(error)")
            }
        }
        XCTAssertTrue(failures.all.isEmpty, "\(failures.all)")
    }

    /// Connections opened and dropped by the hundred: none leaks a file descriptor.
    func testConnectionChurnLeaksNoDescriptor() throws {
        let daemon = try daemon
        for i in 0..<300 {
            let client = try connect()
            if i % 3 == 1 { try? client.send(#"{"op":"health"}"#) }
            if i % 3 == 2 { try? client.write(Array(#"{"op":"sea"#.utf8)) }
            client.close()
        }
        let deadline = Date().addingTimeInterval(5)
        var open = daemon.openDescriptors() ?? 0
        while open > daemon.baselineDescriptors + 2 && Date() < deadline {
            usleep(100_000)
            open = daemon.openDescriptors() ?? 0
        }
        XCTAssertLessThanOrEqual(open, daemon.baselineDescriptors + 2, "open descriptors: \(open), at start \(daemon.baselineDescriptors)")
    }

    /// A client that sends requests as fast as it can for 10 s and never reads: the daemon must
    /// stop reading it (or drop it) rather than queue answers without bound. `show` answers are
    /// cheap to make and large (a whole card), so a daemon without backpressure piles them up.
    func testAClientThatNeverReadsCannotBloatTheDaemon() throws {
        let daemon = try daemon
        let before = try XCTUnwrap(daemon.memory())
        let client = try connect()
        let request = Array((#"{"op":"show","card":"concepteur-developpeur"}"# + "\n").utf8)
        let chunk = Array((0..<1_000).flatMap { _ in request })
        var pending: ArraySlice<UInt8> = chunk[...]
        var sent = 0
        var peak = before.rss
        let deadline = Date().addingTimeInterval(10)
        var closed = false
        while Date() < deadline {
            if pending.isEmpty { pending = chunk[...] }
            guard let n = client.writeSome(Array(pending)) else { closed = true; break }
            sent += n
            pending = pending.dropFirst(n)
            if n == 0 {
                var p = pollfd(fd: client.fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 100)
            }
            if let now = daemon.memory() { peak = max(peak, now.rss) }
        }
        let requests = sent / request.count
        client.close()
        print("HostileInputTests: a client that never reads sent \(requests) requests in 10 s; daemon peak \(peak / 1024) MiB, before \(before.rss / 1024) MiB; closed by the daemon: \(closed)")
        XCTAssertLessThan(
            peak, before.rss + HostileLimits.memoryMarginKiB,
            "peak resident memory \(peak / 1024) MiB, before \(before.rss / 1024) MiB, after \(requests) requests whose answers were never read (closed by the daemon: \(closed))")
    }
}

/// Failures collected from several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
