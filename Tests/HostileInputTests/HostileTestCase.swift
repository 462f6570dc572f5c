import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Base of the hostile-input classes: one live `metiersd` per class (started in `setUp()` of
/// the class, stopped in its `tearDown()`), and after every case a check that the daemon still
/// runs, still answers a normal query right on a fresh connection, and has given back the
/// memory the case made it take.
class HostileTestCase: XCTestCase {
    nonisolated(unsafe) private static var daemons: [ObjectIdentifier: LiveDaemon] = [:]
    nonisolated(unsafe) private static var startFailures: [ObjectIdentifier: String] = [:]

    /// Flags a class starts its daemon with, after the suite's limits.
    class var daemonArguments: [String] { [] }

    override class func setUp() {
        super.setUp()
        signal(SIGPIPE, SIG_IGN)  // a daemon that closes must fail a test, not kill the runner
        do {
            daemons[ObjectIdentifier(self)] = try LiveDaemon.start(name: String(describing: self), extraArguments: daemonArguments)
        } catch {
            startFailures[ObjectIdentifier(self)] = "\(error)"
        }
    }

    override class func tearDown() {
        if let daemon = daemons.removeValue(forKey: ObjectIdentifier(self)) {
            let ending = daemon.stop()
            if ending != "exited with status 0" {
                print("HostileInputTests: metiersd of \(self) \(ending) on SIGTERM; log: \(daemon.logTail())")
            }
            daemon.removeFiles()
        }
        super.tearDown()
    }

    /// The class's daemon (the test fails when it could not start).
    var daemon: LiveDaemon {
        get throws {
            if let daemon = Self.daemons[ObjectIdentifier(type(of: self))] { return daemon }
            throw HarnessError("metiersd did not start: \(Self.startFailures[ObjectIdentifier(type(of: self))] ?? "unknown reason")")
        }
    }

    var socket: String { get throws { try daemon.socket } }

    /// A new connection to the daemon.
    func connect() throws -> Wire { try Wire(path: try daemon.socket) }

    override func setUpWithError() throws {
        try super.setUpWithError()
        signal(SIGPIPE, SIG_IGN)
        _ = try daemon
    }

    /// After every case: the daemon runs, answers a normal query right, and its memory is back
    /// near the baseline. When it does not, the case fails and the class gets a new daemon, so
    /// that the next cases are judged on their own.
    override func tearDownWithError() throws {
        if let daemon = try? daemon, !assertDaemonServes(daemon, after: name) {
            Self.replaceDaemon(of: type(of: self))
        }
        try super.tearDownWithError()
    }

    /// Kills the class's daemon (it hangs, died or holds too much memory) and starts another.
    private static func replaceDaemon(of type: HostileTestCase.Type) {
        let key = ObjectIdentifier(type)
        if let old = daemons.removeValue(forKey: key) {
            if old.isRunning {
                kill(old.pid, SIGKILL)
                old.process.waitUntilExit()
            }
            print("HostileInputTests: replacing the daemon of \(type) (\(old.exitDescription)); its log ends with: \(old.logTail(1500))")
            old.removeFiles()
        }
        do {
            daemons[key] = try LiveDaemon.start(name: String(describing: type), extraArguments: type.daemonArguments)
        } catch {
            startFailures[key] = "\(error)"
        }
    }

    /// The daemon still runs, answers `développeur java` with concepteur-developpeur first on a
    /// fresh connection, and its resident memory is back under baseline + margin.
    @discardableResult
    func assertDaemonServes(_ daemon: LiveDaemon, after: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        guard daemon.isRunning else {
            XCTFail("metiersd is no longer running after \(after): \(daemon.exitDescription); log: \(daemon.logTail())", file: file, line: line)
            return false
        }
        // A connection closed by the case may take a moment to be released by the daemon.
        let deadline = Date().addingTimeInterval(5)
        var lastProblem = ""
        var answered = false
        while !answered && Date() < deadline {
            do {
                let client = try Wire(path: daemon.socket)
                let response = try client.request(#"{"op":"search","query":"développeur java","id":"sanity"}"#, timeout: 10)
                if response.errorCode == "overloaded" {
                    lastProblem = "overloaded"
                    usleep(100_000)
                    continue
                }
                answered = true
                guard response.ok == true, response["id"] as? String == "sanity", response.firstResultID == "concepteur-developpeur" else {
                    XCTFail("after \(after), a normal query on a fresh connection got a wrong answer: \(String(describing: response).prefix(600))", file: file, line: line)
                    return false
                }
            } catch {
                lastProblem = "\(error)"
                if !daemon.isRunning { break }
                usleep(100_000)
            }
        }
        if !answered {
            XCTFail("after \(after), a normal query on a fresh connection failed: \(lastProblem); daemon \(daemon.exitDescription); log: \(daemon.logTail())", file: file, line: line)
            return false
        }
        return assertMemoryBackDown(daemon, after: after, file: file, line: line)
    }

    /// Resident memory within `HostileLimits.memoryMarginKiB` of the baseline (waits up to 5 s
    /// for it to come down).
    @discardableResult
    func assertMemoryBackDown(_ daemon: LiveDaemon, after: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let limit = daemon.baseline.rss + HostileLimits.memoryMarginKiB
        let deadline = Date().addingTimeInterval(5)
        var now = daemon.memory()
        while let current = now, current.rss > limit, Date() < deadline {
            usleep(200_000)
            now = daemon.memory()
        }
        guard let current = now else {
            XCTFail("cannot read the daemon's memory after \(after)", file: file, line: line)
            return false
        }
        XCTAssertLessThanOrEqual(
            current.rss, limit,
            "after \(after): metiersd holds \(current.rss / 1024) MiB resident, baseline \(daemon.baseline.rss / 1024) MiB (+\(HostileLimits.memoryMarginKiB / 1024) MiB allowed); \(current)",
            file: file, line: line)
        return current.rss <= limit
    }

    /// Fails the test when the daemon does not accept a limit flag (the suite starts it
    /// without the flag, with the default limit, so that the other cases still run).
    func requireFlag(_ flag: String, file: StaticString = #filePath, line: UInt = #line) throws {
        if try daemon.unsupportedFlags.contains(flag) {
            XCTFail("metiersd does not accept \(flag) (not in `metiersd --help`): this case needs it", file: file, line: line)
            throw HarnessError("metiersd does not accept \(flag)")
        }
    }

    // MARK: - table-driven lines

    /// One request line and the outcomes allowed for it ("ok" or error codes).
    struct LineCase {
        var name: String
        var bytes: [UInt8]
        var expected: Set<String>
        /// A word the error message must contain (the field it names).
        var mentions: String?

        init(_ name: String, _ line: String, _ expected: String..., mentions: String? = nil) {
            self.name = name
            self.bytes = Array(line.utf8)
            self.expected = Set(expected)
            self.mentions = mentions
        }

        init(_ name: String, bytes: [UInt8], _ expected: String..., mentions: String? = nil) {
            self.name = name
            self.bytes = bytes
            self.expected = Set(expected)
            self.mentions = mentions
        }
    }

    /// Sends each line on one connection, one at a time, and checks each answer's outcome; a
    /// bad request must not close the connection, which must still answer a health request
    /// at the end. Returns the responses by case name.
    @discardableResult
    func check(_ cases: [LineCase], timeout: Double = 10, file: StaticString = #filePath, line: UInt = #line) throws -> [String: [String: Any]] {
        var client = try connect()
        var responses: [String: [String: Any]] = [:]
        for item in cases {
            do {
                let response = try client.request(bytes: item.bytes, timeout: timeout)
                responses[item.name] = response
                XCTAssertTrue(
                    item.expected.contains(response.outcome),
                    "\(item.name): expected \(item.expected.sorted().joined(separator: " or ")), got \(response.outcome): \(String(describing: response).prefix(600))",
                    file: file, line: line)
                if response.ok == false {
                    XCTAssertNotNil(response.errorMessage, "\(item.name): an error carries a message", file: file, line: line)
                    XCTAssertEqual(response["v"] as? Int, 1, "\(item.name): an error response is v1", file: file, line: line)
                }
                XCTAssertNotEqual(response.errorCode, "internal", "\(item.name): \(response)", file: file, line: line)
                if let word = item.mentions, response.ok == false {
                    XCTAssertTrue(
                        response.errorMessage?.contains(word) ?? false,
                        "\(item.name): the message should name '\(word)': \(response.errorMessage ?? "")", file: file, line: line)
                }
            } catch {
                XCTFail("\(item.name): \(error); daemon \(try daemon.exitDescription)", file: file, line: line)
                // A daemon that died or stopped answering would fail every later line for the
                // same reason: stop here (the daemon is replaced after the case).
                if case .timeout? = error as? Wire.Failure { throw error }
                guard try daemon.isRunning else { throw error }
                client = try connect()
            }
        }
        let health = try client.request(#"{"op":"health","id":"still-open"}"#)
        XCTAssertEqual(health.ok, true, "the connection still serves after the bad lines: \(health)", file: file, line: line)
        return responses
    }
}
