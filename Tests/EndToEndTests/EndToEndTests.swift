import Foundation
import MetiersTestSupport
import XCTest

/// A fresh index and a running metiersd on a temporary socket for each test, with helpers to run
/// the built binaries and talk to the daemon.
class DaemonTestCase: XCTestCase {
    /// Where `swift build` put the binaries (the test bundle sits beside them).
    static var binaries: URL { TestIndex.binaries }

    var directory = ""
    var socket: String { directory + "/metiers.sock" }
    var database: String { directory + "/db" }
    var daemon: Process?
    var daemonErrors = Pipe()

    /// The arguments that index the committed data into `database`.
    static func indexArguments(_ database: String) -> [String] {
        ["--db", database, "--cards", TestIndex.cardsPath, "--vocabulary", TestIndex.vocabularyPath, "--ranking-model", TestIndex.rankingModelPath, "--rome", TestIndex.romePath]
    }

    /// The index each test serves a copy of: built once per test process by the real
    /// metiers-index (seconds in a debug build), or why it could not be.
    static let template: Result<String, TemplateError> = {
        let directory = TestIndex.temporaryDirectory("metiers-e2e-template")
        do {
            let index = try run("metiers-index", indexArguments(directory + "/db"), in: directory)
            guard index.status == 0, index.stdout.contains("indexed 36 cards") else {
                return .failure(TemplateError(reason: "metiers-index exited \(index.status): \(index.stdout) \(index.stderr)"))
            }
        } catch {
            return .failure(TemplateError(reason: "metiers-index did not run: \(error)"))
        }
        return .success(directory + "/db")
    }()

    override func setUpWithError() throws {
        signal(SIGPIPE, SIG_IGN)  // a daemon that closes must fail a test, not kill the runner
        directory = TestIndex.temporaryDirectory("metiers-e2e")
        try FileManager.default.copyItem(atPath: try Self.template.get(), toPath: database)
        try startDaemon()
    }

    override func tearDown() {
        if let daemon, daemon.isRunning {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - helpers

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    func run(_ binary: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        try Self.run(binary, arguments, in: directory, environment: environment)
    }

    static func run(_ binary: String, _ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "METIERS_SOCKET")
        env.removeValue(forKey: "METIERS_CONFIG")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    func metiers(_ arguments: [String]) throws -> Outcome {
        try run("metiers", arguments + ["--socket", socket])
    }

    func startDaemon() throws {
        let process = Process()
        process.executableURL = Self.binaries.appendingPathComponent("metiersd")
        process.arguments = ["--db", database, "--socket", socket, "--log-level", "notice"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        daemonErrors = Pipe()
        process.standardError = daemonErrors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        daemon = process
        try waitFor("the socket to appear") { FileManager.default.fileExists(atPath: self.socket) || !process.isRunning }
        guard process.isRunning else {
            let errors = String(decoding: daemonErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw TimeoutError(what: "metiersd, which exited: \(errors)")
        }
    }

    func waitFor(_ what: String, timeout: Double = 10, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { throw TimeoutError(what: what) }
            usleep(20_000)
        }
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func firstId(_ response: [String: Any]) -> String? {
        (response["results"] as? [[String: Any]])?.first?["id"] as? String
    }

}

/// The built binaries end to end: metiers-index builds a database, metiersd serves it on a
/// temporary socket, metiers queries it; raw socket clients send malformed lines; SIGTERM stops
/// the daemon cleanly.
final class EndToEndTests: DaemonTestCase {

    func testTheCLIAnswersTheDoneWhenQueries() throws {
        let java = try metiers(["search", "--json", "développeur java"])
        XCTAssertEqual(java.status, 0, java.stderr)
        XCTAssertEqual(java.stdout.filter { $0 == "\n" }.count, 1, "--json prints one line")
        let javaResponse = try json(java.stdout)
        XCTAssertEqual(firstId(javaResponse), "concepteur-developpeur")
        let first = try XCTUnwrap((javaResponse["results"] as? [[String: Any]])?.first)
        XCTAssertNotNil(first["name"] as? String)
        XCTAssertNotNil(first["score"] as? Double)

        XCTAssertEqual(firstId(try json(try metiers(["search", "--json", "developpeur"]).stdout)), "concepteur-developpeur")
        XCTAssertEqual(firstId(try json(try metiers(["map", "--json", "Ingénieur d'affaires"]).stdout)), "commercial")

        let show = try json(try metiers(["show", "--json", "directeur-de-projet"]).stdout)
        XCTAssertEqual((show["card"] as? [String: Any])?["rome"] as? [String], ["M1803"])

        let health = try json(try metiers(["health", "--json"]).stdout)
        XCTAssertEqual(health["card_count"] as? Int, 36)
    }

    func testRelevanceDoneWhenQueries() throws {
        let bakery = try json(try metiers(["search", "--json", "boulanger"]).stdout)
        XCTAssertEqual(bakery["match"] as? String, "none")
        XCTAssertEqual((bakery["results"] as? [Any])?.count, 0)

        let typo = try json(try metiers(["search", "--json", "devloppeur java"]).stdout)
        XCTAssertEqual(firstId(typo), "concepteur-developpeur")
        XCTAssertEqual(typo["did_you_mean"] as? String, "developpeur java")

        let results = try XCTUnwrap(try json(try metiers(["search", "--json", "administrateur systèmes linux"]).stdout)["results"] as? [[String: Any]])
        XCTAssertFalse(results.isEmpty)
        for result in results {
            let confidence = try XCTUnwrap(result["confidence"] as? Double)
            XCTAssertTrue((0...1).contains(confidence))
            XCTAssertFalse((result["matched"] as? [Any] ?? []).isEmpty, "each result explains its match")
            XCTAssertNotNil((result["snippet"] as? [String: Any])?["highlights"])
        }
    }

    func testRomeDoneWhenQueries() throws {
        let bakery = try json(try metiers(["search", "--json", "boulanger"]).stdout)
        XCTAssertEqual(bakery["match"] as? String, "none")
        XCTAssertEqual((bakery["nearest_rome"] as? [String: Any])?["code_rome"] as? String, "D1102")
        let table = try metiers(["search", "boulanger"])
        XCTAssertTrue(table.stdout.contains("nearest ROME métier: D1102 Boulanger / Boulangère"), table.stdout)

        let lookup = try metiers(["rome", "M1855"])
        XCTAssertEqual(lookup.status, 0, lookup.stderr)
        XCTAssertTrue(lookup.stdout.hasPrefix("M1855  Développeur / Développeuse web  (fine code under M1805)"), lookup.stdout)
        XCTAssertTrue(lookup.stdout.contains("cards: concepteur-developpeur"), lookup.stdout)
        let unknown = try metiers(["rome", "A9999"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("not_found"), unknown.stderr)
    }

    func testTheTableViewIsReadable() throws {
        let table = try metiers(["search", "développeur java"])
        XCTAssertEqual(table.status, 0)
        let lines = table.stdout.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("#  id") ?? false, table.stdout)
        XCTAssertTrue(lines.dropFirst().first?.contains("concepteur-developpeur") ?? false, table.stdout)

        let card = try metiers(["show", "directeur-de-projet"])
        XCTAssertTrue(card.stdout.contains("ROME: M1803"), card.stdout)
        XCTAssertTrue(card.stdout.contains("Activités principales"), card.stdout)

        let missing = try metiers(["show", "boulanger"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("not_found"), missing.stderr)
    }

    func testSuggestOnTheDaemon() throws {
        let web = try json(try metiers(["suggest", "--json", "--limit", "5", "développeur", "we"]).stdout)
        XCTAssertEqual(web["ok"] as? Bool, true)
        let suggestions = try XCTUnwrap(web["suggestions"] as? [[String: Any]])
        XCTAssertFalse(suggestions.isEmpty)
        XCTAssertLessThanOrEqual(suggestions.count, 5)
        XCTAssertEqual(suggestions.first?["card"] as? String, "concepteur-developpeur")
        let table = try metiers(["suggest", "boulang"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("none") && table.stdout.contains("D1102"), table.stdout)
        let empty = try metiers(["suggest", "  "])
        XCTAssertEqual(empty.status, 1)
        XCTAssertTrue(empty.stderr.contains("empty_query"), empty.stderr)
    }

    /// A suggested title leads where it says: for every vocabulary alias and every ROME title
    /// attributed to a card, the suggestion's card is the card `map` answers first for that
    /// title, as metiers-index asked the search when it built the index.
    func testEverySuggestedTitleLeadsWhereMapAnswers() throws {
        let client = try RawClient(path: socket)
        func ask(_ request: [String: Any]) throws -> [String: Any] {
            try client.send(String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self))
            return try json(try client.readLine())
        }
        let stored = try TestIndex.storedTitleCards()
        var checked = 0
        var changed = 0
        for title in stored.keys.sorted() {
            let suggestions = try XCTUnwrap(try ask(["op": "suggest", "query": title, "limit": 20])["suggestions"] as? [[String: Any]], title)
            // A title that folds to a card's own title is offered as that one (the referentiel's).
            guard let offered = suggestions.first(where: { $0["title"] as? String == title && $0["source"] as? String != "referentiel" }) else { continue }
            let map = try ask(["op": "map", "title": title, "limit": 1])
            XCTAssertEqual(map["ok"] as? Bool, true, title)
            XCTAssertEqual(offered["card"] as? String, firstId(map), title)
            checked += 1
            if offered["card"] as? String != stored[title] { changed += 1 }
        }
        XCTAssertGreaterThan(checked, 600, "nearly every alias and attributed title is offered as written")
        XCTAssertGreaterThan(changed, 0, "the search answers some titles with another card than the table's or the attribution's")
    }

    func testSocketFromEnvironment() throws {
        let outcome = try run("metiers", ["health", "--json"], environment: ["METIERS_SOCKET": socket])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
    }

    func testNoDaemonIsOneLineWithTheWayOut() throws {
        let outcome = try run("metiers", ["health", "--socket", directory + "/nobody.sock"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("metiersd --socket"), outcome.stderr)
    }

    func testHelpOnEverySubcommand() throws {
        for sub in ["search", "map", "show", "health", "eval", "suggest"] {
            let outcome = try run("metiers", [sub, "--help"])
            XCTAssertEqual(outcome.status, 0, sub)
            XCTAssertTrue(outcome.stdout.contains("USAGE"), sub)
        }
        XCTAssertEqual(try run("metiersd", ["--help"]).status, 0)
        XCTAssertEqual(try run("metiers-index", ["--help"]).status, 0)
    }

    /// Malformed lines get error responses; the connection and other clients carry on.
    func testMalformedLinesOverARawSocket() throws {
        let client = try RawClient(path: socket)
        let other = try RawClient(path: socket)
        let lines = [
            "this is not json",
            #"{"op":"dance","id":1}"#,
            "{\"op\":\"search\",\"query\":\"x\"",
            #"{"op":"search","query":"chef \"de projet"}"#,
            #"{"op":"search","query":"x","limit":-3}"#,
            #"{"op":"show","card":"nobody"}"#,
        ]
        let codes = ["bad_json", "unknown_op", "bad_json", "query_syntax", "bad_request", "not_found"]
        for line in lines { try client.send(line) }
        for code in codes {
            let response = try json(try client.readLine())
            XCTAssertEqual(response["ok"] as? Bool, false)
            XCTAssertEqual((response["error"] as? [String: Any])?["code"] as? String, code)
        }
        try client.send(#"{"op":"search","query":"administrateur linux","id":"after"}"#)
        let after = try json(try client.readLine())
        XCTAssertEqual(after["id"] as? String, "after")
        XCTAssertEqual(after["ok"] as? Bool, true)
        try other.send(#"{"op":"health"}"#)
        XCTAssertEqual(try json(try other.readLine())["ok"] as? Bool, true)
        // Invalid UTF-8 and an empty line.
        try client.sendBytes([0x7B, 0xFF, 0xFE, 0x7D, 0x0A, 0x0A])
        XCTAssertEqual((try json(try client.readLine())["error"] as? [String: Any])?["code"] as? String, "bad_json")
    }

    /// Many pipelined requests on one connection come back in order.
    func testPipelinedRequestsAnswerInOrder() throws {
        let client = try RawClient(path: socket)
        var batch = ""
        for i in 0..<200 { batch += #"{"op":"search","query":"chef de projet","limit":1,"id":\#(i)}"# + "\n" }
        try client.sendBytes(Array(batch.utf8))
        for i in 0..<200 {
            XCTAssertEqual(try json(try client.readLine())["id"] as? Int, i)
        }
    }

    func testAStaleSocketIsReplacedButALiveOneIsNotStolen() throws {
        // Live: a second daemon on the same socket refuses to start.
        let second = try run("metiersd", ["--db", database, "--socket", socket])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.stderr.contains("already answers"), second.stderr)
        XCTAssertTrue(try metiers(["health"]).status == 0, "the first daemon still serves")

        // Stale: kill -9 leaves the socket file; a new daemon replaces it.
        kill(daemon!.processIdentifier, SIGKILL)
        daemon!.waitUntilExit()
        XCTAssertTrue(FileManager.default.fileExists(atPath: socket))
        try startDaemon()
        try waitFor("the new daemon to answer") { (try? self.metiers(["health"]).status) == 0 }
        XCTAssertEqual(try metiers(["health"]).status, 0)
    }

    func testAMissingIndexIsAOneLineErrorAndNonZeroExit() throws {
        let outcome = try run("metiersd", ["--db", directory + "/no-db", "--socket", directory + "/other.sock"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertEqual(outcome.stderr.filter { $0 == "\n" }.count, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("metiers-index"), outcome.stderr)
    }

    func testSIGTERMStopsCleanlyAndRemovesTheSocket() throws {
        let daemon = try XCTUnwrap(self.daemon)
        let client = try RawClient(path: socket)
        try client.send(#"{"op":"health"}"#)
        _ = try client.readLine()
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        XCTAssertEqual(daemon.terminationReason, .exit)
        XCTAssertEqual(daemon.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "the socket file is removed")
    }

    /// Reindexing while the daemon runs: a new version is written and switched atomically, the
    /// previous stays readable.
    func testReindexWritesANewVersionAndSwitches() throws {
        let before = try String(contentsOfFile: database + "/XAPIANDB", encoding: .utf8)
        let again = try run("metiers-index", Self.indexArguments(database))
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("indexed 36 cards"), again.stdout)
        XCTAssertTrue(again.stdout.contains("suggested titles lead to the card the search answers"), again.stdout)
        let after = try String(contentsOfFile: database + "/XAPIANDB", encoding: .utf8)
        XCTAssertNotEqual(before, after)
        let versions = try FileManager.default.contentsOfDirectory(atPath: database).filter { $0.hasPrefix("v") }
        XCTAssertEqual(versions.count, 2, "the current and the previous version are kept: \(versions)")
        XCTAssertEqual(try metiers(["health"]).status, 0, "the daemon keeps serving")
    }
}

/// The template index could not be built: every test of the class fails with why.
struct TemplateError: Error, CustomStringConvertible {
    var reason: String
    var description: String { "no template index: \(reason)" }
}

struct TimeoutError: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// A line-oriented Unix socket client for raw protocol tests.
final class RawClient {
    let handle: FileHandle
    private var buffer = Data()

    init(path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw NSError(domain: "connect", code: Int(errno)) }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    func send(_ line: String) throws { try sendBytes(Array((line + "\n").utf8)) }

    func sendBytes(_ bytes: [UInt8]) throws { try handle.write(contentsOf: Data(bytes)) }

    func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                return String(decoding: line, as: UTF8.self)
            }
            // One read(2): FileHandle.read(upToCount:) would wait for the whole count.
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            guard n > 0 else { throw NSError(domain: "closed", code: Int(errno)) }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
