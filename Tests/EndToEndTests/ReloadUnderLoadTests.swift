import Foundation
import MetiersTestSupport
import XCTest

/// The daemon keeps answering, right, while the index is rebuilt and reloaded, when an indexer is
/// killed halfway, and while it is being stopped.
final class ReloadUnderLoadTests: DaemonTestCase {
    /// A client loop queries without pause while 50 reindex+reload cycles run: no failed request,
    /// no wrong answer.
    func testFiftyReindexReloadCyclesUnderLoad() throws {
        let tally = Tally()
        let loader = Thread { [socket] in
            guard let client = try? RawClient(path: socket) else {
                tally.fail("cannot connect")
                return
            }
            while tally.running {
                do {
                    try client.send(#"{"op":"search","query":"développeur java","limit":1}"#)
                    let line = try client.readLine()
                    let response = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    let first = ((response?["results"] as? [[String: Any]])?.first?["id"] as? String)
                    tally.count()
                    if response?["ok"] as? Bool != true || first != "concepteur-developpeur" { tally.fail(line) }
                } catch {
                    tally.fail("\(error)")
                    return
                }
            }
        }
        loader.start()
        var versions = Set<String>()
        for cycle in 0..<50 {
            // Builds 0 and 25 carry the ROME data (13,000 titles, and the card of each of the
            // 697 suggested titles, take 5 s in a debug build, 10 s under this load; a build
            // without takes 1 s): the daemon goes from an index with ROME to one without, or
            // back, three times, and between two indexes of the same kind the other times.
            let rome = cycle % 25 == 0 ? ["--rome", TestIndex.romePath] : ["--no-rome"]
            let index = try run("metiers-index", ["--db", database, "--cards", TestIndex.cardsPath, "--vocabulary", TestIndex.vocabularyPath, "--ranking-model", TestIndex.rankingModelPath] + rome)
            XCTAssertEqual(index.status, 0, "cycle \(cycle): \(index.stderr)")
            let reload = try json(try metiers(["reload", "--json"]).stdout)
            XCTAssertEqual(reload["ok"] as? Bool, true, "cycle \(cycle)")
            versions.insert(reload["index_version"] as? String ?? "")
        }
        tally.stop()
        while loader.isExecuting { usleep(10_000) }
        XCTAssertEqual(tally.failures, [])
        XCTAssertGreaterThan(tally.answered, 50)
        XCTAssertEqual(versions.count, 2, "the same cards give the same index version, with ROME data and without")
        let stats = try XCTUnwrap(try json(try metiers(["stats", "--json"]).stdout)["stats"] as? [String: Any])
        XCTAssertGreaterThanOrEqual((stats["index"] as? [String: Any])?["reloads"] as? Int ?? 0, 50)
    }

    /// A reload of a broken index keeps the previous one and says why; SIGHUP reloads too.
    func testAFailedReloadKeepsServingThePreviousIndex() throws {
        let stub = database + "/XAPIANDB"
        let good = try String(contentsOfFile: stub, encoding: .utf8)
        try "auto v-does-not-exist\n".write(toFile: stub, atomically: true, encoding: .utf8)
        let failed = try metiers(["reload"])
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("reload_failed"), failed.stderr)
        let health = try json(try metiers(["health", "--json"]).stdout)
        XCTAssertNotNil(health["last_reload_error"] as? String)
        XCTAssertEqual(firstId(try json(try metiers(["search", "--json", "développeur java"]).stdout)), "concepteur-developpeur")

        try good.write(toFile: stub, atomically: true, encoding: .utf8)
        kill(daemon!.processIdentifier, SIGHUP)
        try waitFor("the SIGHUP reload") { ((try? self.json(try self.metiers(["health", "--json"]).stdout))?["last_reload_error"]) == nil }
    }

    /// The daemon notices a new version written by metiers-index by itself.
    func testANewVersionOnDiskIsPickedUp() throws {
        let before = try json(try metiers(["stats", "--json"]).stdout)["stats"] as? [String: Any]
        let reloads = (before?["index"] as? [String: Any])?["reloads"] as? Int ?? 0
        XCTAssertEqual(try run("metiers-index", ["--db", database, "--cards", TestIndex.cardsPath, "--vocabulary", TestIndex.vocabularyPath, "--ranking-model", TestIndex.rankingModelPath, "--rome", TestIndex.romePath]).status, 0)
        try waitFor("the automatic reload", timeout: 10) {
            let stats = (try? self.json(try self.metiers(["stats", "--json"]).stdout))?["stats"] as? [String: Any]
            return ((stats?["index"] as? [String: Any])?["reloads"] as? Int ?? 0) > reloads
        }
    }

    /// An indexer killed halfway leaves the daemon on the last good index, and the next run works.
    func testAnIndexerKilledHalfwayHarmsNothing() throws {
        for delay in [20_000, 60_000, 120_000] as [useconds_t] {
            let process = Process()
            process.executableURL = Self.binaries.appendingPathComponent("metiers-index")
            process.arguments = ["--db", database, "--cards", TestIndex.cardsPath, "--vocabulary", TestIndex.vocabularyPath, "--ranking-model", TestIndex.rankingModelPath, "--rome", TestIndex.romePath]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            XCTAssertEqual(firstId(try json(try metiers(["search", "--json", "développeur java"]).stdout)), "concepteur-developpeur")
            XCTAssertEqual(try json(try metiers(["reload", "--json"]).stdout)["ok"] as? Bool, true)
        }
        let again = try run("metiers-index", ["--db", database, "--cards", TestIndex.cardsPath, "--vocabulary", TestIndex.vocabularyPath, "--ranking-model", TestIndex.rankingModelPath, "--rome", TestIndex.romePath])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try json(try metiers(["reload", "--json"]).stdout)["ok"] as? Bool, true)
        XCTAssertEqual(firstId(try json(try metiers(["search", "--json", "développeur java"]).stdout)), "concepteur-developpeur")
    }

    /// SIGTERM while clients are busy: every answer a client gets is whole, the daemon exits 0
    /// and removes its socket.
    func testSIGTERMUnderLoad() throws {
        let tally = Tally()
        var threads: [Thread] = []
        for _ in 0..<8 {
            let thread = Thread { [socket] in
                guard let client = try? RawClient(path: socket) else { return }
                for i in 0..<2000 {
                    do {
                        try client.send(#"{"op":"search","query":"chef de projet","limit":2,"id":\#(i)}"#)
                        let line = try client.readLine()
                        let response = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                        if response?["id"] as? Int != i || response?["ok"] as? Bool != true { tally.fail(line) }
                        tally.count()
                    } catch {
                        return  // the daemon closed the connection: fine after SIGTERM
                    }
                }
            }
            threads.append(thread)
            thread.start()
        }
        try waitFor("the clients to get going") { tally.answered > 200 }
        let daemon = try XCTUnwrap(self.daemon)
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        while threads.contains(where: \.isExecuting) { usleep(10_000) }
        XCTAssertEqual(daemon.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket))
        XCTAssertEqual(tally.failures, [])
    }
}

/// Counts shared by a test and its client threads.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var _running = true
    private var _answered = 0
    private var _failures: [String] = []

    var running: Bool { lock.withLock { _running } }
    var answered: Int { lock.withLock { _answered } }
    var failures: [String] { lock.withLock { _failures } }
    func stop() { lock.withLock { _running = false } }
    func count() { lock.withLock { _answered += 1 } }
    func fail(_ what: String) { lock.withLock { _failures.append(what) } }
}
