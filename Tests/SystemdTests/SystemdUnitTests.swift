import Foundation
import Logging
@testable import MetiersServer
import MetiersTestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The systemd integration: the unit files in systemd/ (`systemd-analyze verify`, the security
/// exposure), the installed configuration against the units, socket activation for real with
/// `systemd-socket-activate` and the built metiersd, and the readiness protocol (NOTIFY_SOCKET).
///
/// These tests need systemd's tools (`systemd-analyze`, `systemd-socket-activate`, Debian package
/// `systemd`), but not systemd running as PID 1; a missing tool fails the test and says so.
final class SystemdUnitTests: XCTestCase {
    /// The repository root (this file is `Tests/SystemdTests/SystemdUnitTests.swift`).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static var unitsDirectory: String { repositoryRoot + "/systemd" }
    static let unitNames = ["metiersd.socket", "metiersd.service", "metiers-index.service", "metiers-index.path"]
    static let services = ["metiersd.service", "metiers-index.service"]
    /// Installed as /etc/metiers/metiers.toml.
    static var installedConfiguration: String { unitsDirectory + "/metiers.toml" }
    /// The highest exposure `systemd-analyze security` may rate a service (lower is safer).
    static let maximumExposure = 2.0

    /// Where `swift build` put the binaries (the test bundle sits beside them).
    static var binaries: URL { TestIndex.binaries }

    var directory = ""
    var processes: [Process] = []

    override func setUpWithError() throws {
        signal(SIGPIPE, SIG_IGN)  // a daemon that closes must fail a test, not kill the runner
        var template = Array("/tmp/metiers-systemd-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    override func tearDown() {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - the unit files

    /// `systemd-analyze verify` exits 0 on unknown keys and many mistakes: any line it prints about
    /// our units fails the test, warnings included. The units are verified from copies whose
    /// paths point at the built binaries and the repository's files, as verify checks that every
    /// Exec command exists.
    func testUnitsVerifyWithoutAnyWarning() throws {
        let analyze = try tool("systemd-analyze")
        let copies = try unitCopies()
        let outcome = try run(analyze, ["verify", "--man=no"] + copies)
        XCTAssertEqual(outcome.status, 0, outcome.stdout + outcome.stderr)
        let complaints = (outcome.stdout + "\n" + outcome.stderr)
            .split(separator: "\n")
            .filter { line in line.contains(directory) || Self.unitNames.contains { line.contains($0) } || line.contains("metiers") }
        XCTAssertEqual(complaints, [], "systemd-analyze verify:\n" + complaints.joined(separator: "\n"))
    }

    /// `systemd-analyze security --offline=yes` on the committed files: every service is rated
    /// at most `maximumExposure`.
    func testServicesExposureIsLow() throws {
        let analyze = try tool("systemd-analyze")
        for service in Self.services {
            let path = Self.unitsDirectory + "/" + service
            let outcome = try run(analyze, ["security", "--offline=yes", "--no-pager", path])
            let text = outcome.stdout + outcome.stderr
            let exposure = try XCTUnwrap(Self.overallExposure(text, unit: service), "no exposure level for \(service) in:\n\(text)")
            XCTAssertLessThanOrEqual(exposure, Self.maximumExposure, "\(service) is rated \(exposure):\n\(text)")
        }
    }

    /// systemd/metiers.toml (installed as /etc/metiers/metiers.toml) is valid (the binaries load
    /// it: `buildIndex` and the daemons below pass it with --config) and agrees with the units:
    /// the socket metiersd.socket listens on, the database both services use, the cards and the
    /// vocabulary metiers-index.path watches.
    func testInstalledConfigurationAgreesWithTheUnits() throws {
        _ = try buildIndex()
        let config = try Self.tomlStrings(Self.installedConfiguration)
        let socketPath = try XCTUnwrap(config["daemon.socket"])
        let databasePath = try XCTUnwrap(config["index.database"])
        let cardsPath = try XCTUnwrap(config["index.cards"])
        let vocabularyPath = try XCTUnwrap(config["index.vocabulary"])
        let romePath = try XCTUnwrap(config["index.rome"])
        let socket = try unit("metiersd.socket")
        let daemon = try unit("metiersd.service")
        let indexer = try unit("metiers-index.service")
        let path = try unit("metiers-index.path")

        XCTAssertEqual(socket["ListenStream"], [socketPath])
        XCTAssertEqual(socket["SocketMode"], ["0660"])
        XCTAssertEqual(socket["SocketGroup"], ["metiers"])
        XCTAssertEqual(daemon["Type"], ["notify"])
        // The shell's kill: /bin/kill (procps) is missing on a minimal system.
        XCTAssertEqual(daemon["ExecReload"], ["/bin/sh -c 'kill -HUP $$MAINPID'"])
        for service in [daemon, indexer] {
            for command in ["ExecStart", "ExecStartPost", "ExecReload", "ExecStop"].flatMap({ service[$0] ?? [] }) {
                XCTAssertFalse(command.hasPrefix("/bin/kill") || command.hasPrefix("/usr/bin/kill"), "procps's kill is not on every system: \(command)")
            }
        }
        // A socket-activated daemon's starts include one per stop followed by a query: the
        // default start limit (5 in 10 s) is too tight (README, "Running under systemd").
        XCTAssertEqual(daemon["StartLimitIntervalSec"], ["60s"])
        XCTAssertEqual(daemon["StartLimitBurst"], ["20"])
        XCTAssertEqual(daemon["StateDirectory"], ["metiers"])
        XCTAssertEqual(indexer["StateDirectory"], ["metiers"])
        XCTAssertEqual(databasePath, "/var/lib/metiers/db")
        XCTAssertEqual(daemon["User"], indexer["User"], "both services run as the same transient user, so the daemon reads what the indexer writes")

        let daemonCommand = try XCTUnwrap(daemon["ExecStart"]?.first).split(separator: " ").map(String.init)
        XCTAssertEqual(Self.option("--db", in: daemonCommand), databasePath)
        XCTAssertEqual(Self.option("--config", in: daemonCommand), "/etc/metiers/metiers.toml")
        let indexCommand = try XCTUnwrap(indexer["ExecStart"]?.first).split(separator: " ").map(String.init)
        XCTAssertEqual(Self.option("--config", in: indexCommand), "/etc/metiers/metiers.toml")
        XCTAssertEqual(Self.option("--db", in: indexCommand), databasePath)
        XCTAssertEqual(Self.option("--cards", in: indexCommand), cardsPath)
        XCTAssertEqual(Self.option("--vocabulary", in: indexCommand), vocabularyPath)
        XCTAssertEqual(Self.option("--rome", in: indexCommand), romePath)
        XCTAssertEqual(Set(path["PathChanged"] ?? []), [cardsPath, vocabularyPath, romePath])
        XCTAssertEqual(path["Unit"], ["metiers-index.service"])
    }

    // MARK: - the daemon under systemd's protocols

    /// The daemon serves the socket systemd-socket-activate passes (LISTEN_FDS), says READY=1,
    /// answers, says STOPPING=1 on SIGTERM, exits 0, and leaves the socket file to its owner.
    func testSocketActivation() throws {
        let activate = try tool("systemd-socket-activate")
        let database = try buildIndex()
        let socket = directory + "/s.sock"
        let notifications = try NotifyListener(path: directory + "/notify.sock")
        // --socket names another path: the passed socket takes precedence (and a daemon that
        // ignored it would bind there, in the temporary directory, never elsewhere).
        let unused = directory + "/unused.sock"
        let daemon = try start(activate, [
            "-l", socket, "-E", "NOTIFY_SOCKET=\(notifications.path)",
            Self.binaries.appendingPathComponent("metiersd").path, "--config", Self.installedConfiguration,
            "--db", database, "--socket", unused, "--log-level", "notice",
        ])
        try waitFor("systemd-socket-activate to listen") { FileManager.default.fileExists(atPath: socket) || !daemon.process.isRunning }

        // The first connection makes systemd-socket-activate exec metiersd, which adopts fd 3.
        let client = try RawClient(path: socket)
        try client.send(#"{"op":"health","id":1}"#)
        let answer: String
        do {
            answer = try client.readLine()
        } catch {
            XCTFail("no answer on the passed socket (\(error)); metiersd said: \(daemon.errors())")
            return
        }
        let health = try json(answer)
        XCTAssertEqual(health["ok"] as? Bool, true, "\(health)")
        XCTAssertEqual(health["card_count"] as? Int, 36)
        let ready = try XCTUnwrap(notifications.next(timeout: 20), "no notification from metiersd: \(daemon.errors())")
        XCTAssertTrue(ready.split(separator: "\n").contains("READY=1"), ready)

        kill(daemon.process.processIdentifier, SIGTERM)
        let stopping = try XCTUnwrap(notifications.next(timeout: 20), "no STOPPING=1: \(daemon.errors())")
        XCTAssertTrue(stopping.split(separator: "\n").contains("STOPPING=1"), stopping)
        try waitFor("metiersd to exit") { !daemon.process.isRunning }
        XCTAssertEqual(daemon.process.terminationReason, .exit)
        XCTAssertEqual(daemon.process.terminationStatus, 0, daemon.errors())
        XCTAssertTrue(FileManager.default.fileExists(atPath: socket), "an adopted socket's file is the service manager's: not removed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: unused), "--socket is not bound when a socket is passed")
    }

    /// metiersd takes exactly one socket: two passed is a one-line error and exit 1.
    func testSocketActivationWithTwoSocketsIsRefused() throws {
        let activate = try tool("systemd-socket-activate")
        let database = try buildIndex()
        let first = directory + "/a.sock"
        let daemon = try start(activate, [
            "-l", first, "-l", directory + "/b.sock",
            Self.binaries.appendingPathComponent("metiersd").path, "--config", Self.installedConfiguration,
            "--db", database, "--socket", directory + "/unused.sock",
        ])
        try waitFor("systemd-socket-activate to listen") { FileManager.default.fileExists(atPath: first) || !daemon.process.isRunning }
        _ = try? RawClient(path: first)
        try waitFor("metiersd to exit") { !daemon.process.isRunning }
        XCTAssertEqual(daemon.process.terminationStatus, 1)
        // systemd-socket-activate logs to the same stderr; metiersd says one line.
        let errors = daemon.errors()
        let said = errors.split(separator: "\n").filter { $0.hasPrefix("metiersd") }
        XCTAssertEqual(said.count, 1, errors)
        let line = said.first ?? ""
        XCTAssertTrue(line.hasPrefix("metiersd: error: socket activation: 2 sockets passed"), errors)
        XCTAssertFalse(line.contains("socket activation: socket activation"), errors)
    }

    /// Started by hand with NOTIFY_SOCKET (Type=notify without the socket unit), the daemon binds
    /// its own socket and says READY=1 only once it accepts connections; STOPPING=1 on SIGTERM,
    /// then it removes its socket.
    func testReadyNotificationWhenStartedByHand() throws {
        let database = try buildIndex()
        let socket = directory + "/d.sock"
        let notifications = try NotifyListener(path: directory + "/notify.sock")
        let daemon = try start(
            Self.binaries.appendingPathComponent("metiersd").path,
            ["--config", Self.installedConfiguration, "--db", database, "--socket", socket, "--log-level", "notice"],
            environment: ["NOTIFY_SOCKET": notifications.path])
        let ready = try XCTUnwrap(notifications.next(timeout: 20), "no notification from metiersd: \(daemon.errors())")
        XCTAssertTrue(ready.split(separator: "\n").contains("READY=1"), ready)
        let client = try RawClient(path: socket)  // listening before READY=1
        try client.send(#"{"op":"health"}"#)
        XCTAssertEqual(try json(try client.readLine())["ok"] as? Bool, true)

        kill(daemon.process.processIdentifier, SIGTERM)
        let stopping = try XCTUnwrap(notifications.next(timeout: 20), "no STOPPING=1: \(daemon.errors())")
        XCTAssertTrue(stopping.split(separator: "\n").contains("STOPPING=1"), stopping)
        try waitFor("metiersd to exit") { !daemon.process.isRunning }
        XCTAssertEqual(daemon.process.terminationStatus, 0, daemon.errors())
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "a socket the daemon bound itself is removed")
    }

    // MARK: - the client across a daemon's stop and restart

    /// A stopping daemon may close a connection whose request it has not read (the client sees
    /// ECONNRESET): `metiers` sends the request again on a new connection. Here a stand-in
    /// daemon resets the first connection after the request arrived and answers the second.
    func testClientRetriesAConnectionResetBeforeTheAnswer() throws {
        let path = directory + "/reset.sock"
        let listening = try Self.unixSocket(type: SOCK_STREAM, path: path)
        defer { close(listening) }
        XCTAssertEqual(listen(listening, 8), 0)
        let client = try start(Self.binaries.appendingPathComponent("metiers").path, ["health", "--socket", path])

        let first = try Self.accept(listening)
        XCTAssertTrue(Self.waitReadable(first, seconds: 20), "no request on the first connection")
        var abort = linger(l_onoff: 1, l_linger: 0)  // close with the request unread: a reset
        setsockopt(first, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
        close(first)

        let second = try Self.accept(listening)
        defer { close(second) }
        XCTAssertTrue(Self.waitReadable(second, seconds: 20), "the client did not send its request again")
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(second, $0.baseAddress, $0.count) }
        XCTAssertTrue(String(decoding: buffer[0..<max(count, 0)], as: UTF8.self).contains(#""op":"health""#))
        let answer = Array(#"{"v":1,"ok":false,"op":"health","error":{"code":"bad_request","message":"answered on the second connection"}}"#.utf8) + [10]
        _ = answer.withUnsafeBytes { Glibc.send(second, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        try waitFor("metiers to exit") { !client.process.isRunning }
        // Exit 1: the daemon's error answer (a connection failure is exit 3).
        XCTAssertEqual(client.process.terminationStatus, 1, client.errors())
        XCTAssertTrue(client.errors().contains("answered on the second connection"), client.errors())
    }

    /// A socket file with nothing listening yet (ECONNREFUSED), as while a daemon restarts: the
    /// client tries again for about a second and a half.
    func testClientRetriesARefusedConnection() throws {
        let path = directory + "/refused.sock"
        let bound = try Self.unixSocket(type: SOCK_STREAM, path: path)  // bound, not listening
        defer { close(bound) }
        let client = try start(Self.binaries.appendingPathComponent("metiers").path, ["health", "--socket", path])
        usleep(150_000)
        XCTAssertEqual(listen(bound, 8), 0)
        let connection = try Self.accept(bound)
        defer { close(connection) }
        XCTAssertTrue(Self.waitReadable(connection, seconds: 20))
        let answer = Array(#"{"v":1,"ok":false,"op":"health","error":{"code":"bad_request","message":"listening now"}}"#.utf8) + [10]
        _ = answer.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        try waitFor("metiers to exit") { !client.process.isRunning }
        XCTAssertEqual(client.process.terminationStatus, 1, client.errors())
        XCTAssertTrue(client.errors().contains("listening now"), client.errors())
    }

    /// No daemon at all (no socket file): no retry, exit 3 at once.
    func testClientDoesNotRetryAMissingSocket() throws {
        let started = Date()
        let client = try start(Self.binaries.appendingPathComponent("metiers").path, ["health", "--socket", directory + "/none.sock"])
        try waitFor("metiers to exit") { !client.process.isRunning }
        XCTAssertEqual(client.process.terminationStatus, 3)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.0, "a missing socket is not retried")
        XCTAssertTrue(client.errors().contains("no metiers daemon answers on"), client.errors())
    }

    // MARK: - SystemdNotifier and SocketActivation in process

    func testNotifierSendsToAnAbstractSocket() throws {
        let name = "@metiers-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifyListener(path: name)
        let notifier = SystemdNotifier(socketPath: name)
        XCTAssertTrue(notifier.isEnabled)
        XCTAssertTrue(notifier.ready())
        XCTAssertEqual(listener.next(timeout: 5), "READY=1")
        XCTAssertTrue(notifier.status("two\nlines"))
        XCTAssertEqual(listener.next(timeout: 5), "STATUS=two lines")

        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let before = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        XCTAssertTrue(notifier.reloading())
        let reloading = try XCTUnwrap(listener.next(timeout: 5)).split(separator: "\n")
        XCTAssertEqual(reloading.first, "RELOADING=1")
        let monotonic = try XCTUnwrap(reloading.dropFirst().first.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil }, "\(reloading)")
        XCTAssertGreaterThanOrEqual(monotonic, before)
        XCTAssertLessThan(monotonic, before + 60_000_000)
        XCTAssertTrue(notifier.stopping())
        XCTAssertEqual(listener.next(timeout: 5), "STOPPING=1")
    }

    func testNotifierWithoutASocketDoesNothing() {
        let saved = getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        unsetenv("NOTIFY_SOCKET")
        defer { if let saved { setenv("NOTIFY_SOCKET", saved, 1) } }
        let notifier = SystemdNotifier()
        XCTAssertFalse(notifier.isEnabled)
        XCTAssertFalse(notifier.ready())
        XCTAssertFalse(notifier.stopping())
        XCTAssertFalse(SystemdNotifier(socketPath: "").isEnabled)
        XCTAssertFalse(SystemdNotifier(socketPath: "relative/path").ready(), "a relative path is no notification socket")
    }

    func testANotificationThatCannotBeSentIsLogged() throws {
        let log = CapturedLog()
        let logger = Logger(label: "test") { _ in log }
        let notifier = SystemdNotifier(socketPath: "/nonexistent/metiers-notify-\(getpid())")
        XCTAssertTrue(notifier.isEnabled)
        XCTAssertFalse(notifier.ready(status: "serving", logger: logger))
        XCTAssertEqual(log.entries.map(\.level), [.warning])
        XCTAssertEqual(log.entries.first?.message, "cannot notify the service manager")
        XCTAssertEqual(log.entries.first?.metadata["notification"], "READY=1")
        // Without a notification socket nothing is sent, and nothing is said.
        let off = SystemdNotifier(socketPath: nil)
        XCTAssertFalse(off.ready(logger: logger))
        XCTAssertEqual(log.entries.count, 1)
        // Sent, nothing is said either (the abstract socket of a listener).
        let name = "@metiers-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifyListener(path: name)
        XCTAssertTrue(SystemdNotifier(socketPath: name).stopping(logger: logger))
        XCTAssertEqual(listener.next(timeout: 5), "STOPPING=1")
        XCTAssertEqual(log.entries.count, 1)
    }

    func testSocketActivationEnvironment() throws {
        func environment(_ pid: String?, _ fds: String?) {
            if let pid { setenv("LISTEN_PID", pid, 1) } else { unsetenv("LISTEN_PID") }
            if let fds { setenv("LISTEN_FDS", fds, 1) } else { unsetenv("LISTEN_FDS") }
            setenv("LISTEN_FDNAMES", "metiersd.socket", 1)
        }
        func assertCleared(_ line: UInt = #line) {
            for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
                XCTAssertNil(getenv(name), "\(name) is left in the environment", line: line)
            }
        }
        let me = String(getpid())

        environment(nil, nil)
        XCTAssertNil(try SocketActivation.listeningSocket(), "not socket-activated")
        assertCleared()

        environment(String(getppid()), "1")
        XCTAssertNil(try SocketActivation.listeningSocket(), "meant for another process")
        assertCleared()

        environment(me, "0")
        XCTAssertNil(try SocketActivation.listeningSocket())
        assertCleared()

        environment("not-a-pid", "1")
        XCTAssertThrowsError(try SocketActivation.listeningSocket()) {
            XCTAssertEqual($0 as? SocketActivation.Failure, .malformed(variable: "LISTEN_PID", value: "not-a-pid"))
        }
        assertCleared()

        environment(me, "2")
        XCTAssertThrowsError(try SocketActivation.listeningSocket()) {
            XCTAssertEqual($0 as? SocketActivation.Failure, .unexpectedCount(2))
        }
        assertCleared()
    }

    /// What a passed descriptor must be: a listening AF_UNIX stream socket.
    func testListeningSocketValidation() throws {
        let path = directory + "/v.sock"
        let listening = try Self.unixSocket(type: SOCK_STREAM, path: path)
        defer { close(listening) }
        XCTAssertEqual(listen(listening, 8), 0)
        XCTAssertNoThrow(try SocketActivation.validateListeningSocket(listening))
        XCTAssertEqual(SocketActivation.localPath(of: listening), path)

        let bound = try Self.unixSocket(type: SOCK_STREAM, path: directory + "/n.sock")
        defer { close(bound) }
        XCTAssertThrowsError(try SocketActivation.validateListeningSocket(bound)) {
            XCTAssertEqual($0 as? SocketActivation.Failure, .notListening(bound))
        }

        let datagram = try Self.unixSocket(type: SOCK_DGRAM, path: directory + "/g.sock")
        defer { close(datagram) }
        XCTAssertThrowsError(try SocketActivation.validateListeningSocket(datagram)) {
            XCTAssertEqual($0 as? SocketActivation.Failure, .notAStreamSocket(datagram))
        }

        var pipeEnds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&pipeEnds), 0)
        defer { close(pipeEnds[0]); close(pipeEnds[1]) }
        XCTAssertThrowsError(try SocketActivation.validateListeningSocket(pipeEnds[0])) {
            XCTAssertEqual($0 as? SocketActivation.Failure, .notASocket(pipeEnds[0]))
        }

        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if tcp >= 0 {  // IPv4 may be unavailable in a sandbox; the Unix cases above are the point
            defer { close(tcp) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let boundTCP = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if boundTCP == 0, listen(tcp, 8) == 0 {
                XCTAssertThrowsError(try SocketActivation.validateListeningSocket(tcp)) {
                    XCTAssertEqual($0 as? SocketActivation.Failure, .notUnixDomain(tcp, family: AF_INET))
                }
            }
        }
    }

    // MARK: - helpers

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A started process and its standard error.
    struct Started {
        var process: Process
        var errorFile: String
        func errors() -> String { (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? "" }
    }

    struct TimeoutError: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }

    struct MissingTool: Error, CustomStringConvertible {
        var name: String
        var description: String {
            "\(name) is not installed: these tests need systemd's tools (Debian: apt-get install systemd); systemd need not be running"
        }
    }

    /// The path of a tool in $PATH or the usual directories; a missing tool fails the test.
    func tool(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let error = MissingTool(name: name)
        XCTFail(error.description)
        throw error
    }

    @discardableResult
    func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["SYSTEMD_COLORS"] = "0"
        environment["SYSTEMD_PAGER"] = ""
        process.environment = environment
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

    /// Starts a process in the background, its standard error to a file; killed in tearDown.
    func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Started {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        for name in ["METIERS_SOCKET", "METIERS_CONFIG", "NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
            env.removeValue(forKey: name)
        }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let errorFile = directory + "/stderr-\(processes.count).log"
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        return Started(process: process, errorFile: errorFile)
    }

    /// An index of the committed cards, built by the built metiers-index with the installed
    /// configuration (which it validates: an unknown or malformed setting fails).
    func buildIndex() throws -> String {
        let database = directory + "/db"
        let outcome = try run(Self.binaries.appendingPathComponent("metiers-index").path, [
            "build", "--config", Self.installedConfiguration, "--db", database, "--cards", Self.repositoryRoot + "/Index/cards",
            "--vocabulary", Self.repositoryRoot + "/Config/vocabulary.tsv", "--rome", Self.repositoryRoot + "/Index/rome",
            "--ranking-model", Self.repositoryRoot + "/Config/ranking-model.json",
        ])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        return database
    }

    /// Copies of the units with their paths pointing at the built binaries and the repository's
    /// files, in `directory/units`.
    func unitCopies() throws -> [String] {
        let units = directory + "/units"
        try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
        let replacements = [
            ("/usr/local/bin/", Self.binaries.path + "/"),
            ("/usr/local/share/doc/metiers/", Self.repositoryRoot + "/"),
            ("/usr/local/share/metiers/cards", Self.repositoryRoot + "/Index/cards"),
            ("/etc/metiers/vocabulary.tsv", Self.repositoryRoot + "/Config/vocabulary.tsv"),
            ("/etc/metiers/metiers.toml", Self.unitsDirectory + "/metiers.toml"),
        ]
        return try Self.unitNames.map { name in
            var text = try String(contentsOfFile: Self.unitsDirectory + "/" + name, encoding: .utf8)
            for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
            let path = units + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    /// The settings of a unit file: key to values, in order, over all sections.
    func unit(_ name: String) throws -> [String: [String]] {
        let text = try String(contentsOfFile: Self.unitsDirectory + "/" + name, encoding: .utf8)
        var settings: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("[") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return settings
    }

    /// The string settings of a TOML file, as "section.key" (enough for metiers.toml).
    static func tomlStrings(_ path: String) throws -> [String: String] {
        var section = ""
        var values: [String: String] = [:]
        for raw in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = line[..<equals].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                if value.hasPrefix("\""), let end = value.dropFirst().firstIndex(of: "\"") {
                    values[section + "." + key] = String(value[value.index(after: value.startIndex)..<end])
                }
            }
        }
        return values
    }

    static func option(_ name: String, in command: [String]) -> String? {
        guard let index = command.firstIndex(of: name), index + 1 < command.count else { return nil }
        return command[index + 1]
    }

    /// "→ Overall exposure level for metiersd.service: 0.4 SAFE 😀" → 0.4
    static func overallExposure(_ text: String, unit: String) -> Double? {
        let marker = "Overall exposure level for \(unit):"
        guard let line = text.split(separator: "\n").first(where: { $0.contains(marker) }),
              let range = line.range(of: marker) else { return nil }
        return line[range.upperBound...].split(separator: " ").first.flatMap { Double($0) }
    }

    func waitFor(_ what: String, timeout: Double = 20, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { throw TimeoutError(what: what) }
            usleep(20_000)
        }
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    static func unixAddress(_ path: String) -> (sockaddr_un, socklen_t) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            if !abstract { raw[bytes.count] = 0 }
        }
        let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        return (address, socklen_t(offset + bytes.count + (abstract ? 0 : 1)))
    }

    /// The next connection on a listening socket (at most 20 s).
    static func accept(_ listening: Int32) throws -> Int32 {
        guard waitReadable(listening, seconds: 20) else { throw TimeoutError(what: "a connection") }
        let fd = Glibc.accept(listening, nil, nil)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        return fd
    }

    static func waitReadable(_ fd: Int32, seconds: Double) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, Int32(seconds * 1000)) == 1
    }

    /// A Unix socket of `type` bound to `path`.
    static func unixSocket(type: __socket_type, path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var (address, length) = unixAddress(path)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else {
            let error = POSIXError(.init(rawValue: errno) ?? .EIO)
            close(fd)
            throw error
        }
        return fd
    }
}

/// A datagram socket that receives sd_notify messages, as the service manager does.
final class NotifyListener {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = try SystemdUnitTests.unixSocket(type: SOCK_DGRAM, path: path)
    }

    deinit { close(fd) }

    /// The next datagram, nil when none comes within `timeout` seconds.
    func next(timeout: Double) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count >= 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}

/// A line-oriented Unix socket client.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var (address, length) = SystemdUnitTests.unixAddress(path)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard result == 0 else {
            let error = POSIXError(.init(rawValue: errno) ?? .EIO)
            close(fd)
            throw error
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ line: String) throws {
        let bytes = Array((line + "\n").utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw POSIXError(.init(rawValue: errno) ?? .ECONNRESET) }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}

/// A log handler that keeps what it is given.
final class CapturedLog: LogHandler, @unchecked Sendable {
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }
    private let lock = NSLock()
    private var kept: [Entry] = []
    var entries: [Entry] { lock.withLock { kept } }
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let entry = Entry(level: event.level, message: "\(event.message)", metadata: (event.metadata ?? [:]).mapValues { "\($0)" })
        lock.withLock { kept.append(entry) }
    }
}
