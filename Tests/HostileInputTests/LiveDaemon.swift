import Foundation
import MetiersTestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The limits the hostile suite starts `metiersd` with: small, so that they can be reached
/// quickly.
enum HostileLimits {
    static let maxLineBytes = 65_536
    static let maxConnections = 16
    static let idleTimeout = 2.0
    static let requestTimeoutMilliseconds = 5_000
    /// How far above its baseline the daemon's resident memory may stay after a case.
    static let memoryMarginKiB = 30 * 1024
}

/// Errors of the harness, with what the daemon was doing.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Resident memory of a process, from /proc/PID/status (KiB).
struct MemoryStatus: CustomStringConvertible {
    var rss: Int
    var hwm: Int
    var description: String { "VmRSS \(rss / 1024) MiB, VmHWM \(hwm / 1024) MiB" }
}

/// The built `metiersd`, started on a temporary socket over a fresh index made by the built
/// `metiers-index`: one per test class.
final class LiveDaemon: @unchecked Sendable {
    /// Where `swift build` put the binaries (the test bundle sits beside them).
    static var binaries: URL { TestIndex.binaries }

    let directory: String
    var socket: String { directory + "/metiers.sock" }
    var database: String { directory + "/db" }
    var logPath: String { directory + "/metiersd.log" }
    let process: Process
    /// The limit flags this metiersd does not know (it was started without them; the tests
    /// that need them fail, naming the flag).
    let unsupportedFlags: [String]
    /// The limits in force: the suite's, or metiersd's defaults for an unsupported flag.
    let maxLineBytes: Int
    let maxConnections: Int
    let idleTimeout: Double?
    /// Resident memory after start-up and a first answer to each kind of request.
    private(set) var baseline = MemoryStatus(rss: 0, hwm: 0)
    /// Open file descriptors after start-up.
    private(set) var baselineDescriptors = 0

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Starts the daemon with the suite's limits, then `extraArguments` (which override them).
    static func start(name: String, extraArguments: [String] = []) throws -> LiveDaemon {
        let directory = TestIndex.temporaryDirectory("metiers-hostile-\(name)")
        let index = try runTool("metiers-index", ["--db", directory + "/db", "--cards", TestIndex.cardsPath, "--vocabulary", TestIndex.vocabularyPath, "--ranking-model", TestIndex.rankingModelPath, "--rome", TestIndex.romePath], in: directory)
        guard index.status == 0, index.output.contains("indexed 36 cards") else {
            throw HarnessError("metiers-index failed (\(index.status)): \(index.output)")
        }
        let help = try runTool("metiersd", ["--help"], in: directory).output
        let wanted: [(flag: String, value: String)] = [
            ("--max-line-bytes", "\(HostileLimits.maxLineBytes)"),
            ("--max-connections", "\(HostileLimits.maxConnections)"),
            ("--idle-timeout", "\(Int(HostileLimits.idleTimeout))"),
            ("--request-timeout-ms", "\(HostileLimits.requestTimeoutMilliseconds)"),
        ]
        var arguments = ["--db", directory + "/db", "--socket", directory + "/metiers.sock", "--log-level", "warning"]
        var unsupported: [String] = []
        for (flag, value) in wanted {
            if help.contains(flag) { arguments += [flag, value] } else { unsupported.append(flag) }
        }
        arguments += extraArguments
        return try LiveDaemon(directory: directory, arguments: arguments, unsupported: unsupported)
    }

    private init(directory: String, arguments: [String], unsupported: [String]) throws {
        self.directory = directory
        self.unsupportedFlags = unsupported
        // The last --max-line-bytes given wins (a class may override the suite's).
        let lineFlag = arguments.lastIndex(of: "--max-line-bytes").flatMap { arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil }
        maxLineBytes = lineFlag ?? 1 << 20
        maxConnections = unsupported.contains("--max-connections") ? 256 : HostileLimits.maxConnections
        idleTimeout = unsupported.contains("--idle-timeout") ? nil : HostileLimits.idleTimeout
        process = Process()
        process.executableURL = Self.binaries.appendingPathComponent("metiersd")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "METIERS_SOCKET")
        environment.removeValue(forKey: "METIERS_CONFIG")
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        // A file, not a pipe: a pipe nobody reads would block the daemon once full.
        precondition(FileManager.default.createFile(atPath: directory + "/metiersd.log", contents: nil), "cannot create \(directory)/metiersd.log")
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/metiersd.log"))
        process.standardError = log
        process.standardOutput = log
        try process.run()
        try log.close()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: directory + "/metiers.sock") {
            guard process.isRunning else { throw HarnessError("metiersd exited (\(process.terminationStatus)) at start: \(logTail())") }
            guard Date() < deadline else { throw HarnessError("metiersd did not create its socket in 20 s: \(logTail())") }
            usleep(20_000)
        }
        // Warm up every kind of request once, so that the baseline includes what a first
        // request allocates for good.
        let warm = try Wire(path: directory + "/metiers.sock")
        for line in [
            #"{"op":"health"}"#, #"{"op":"search","query":"développeur java","explain":true}"#,
            #"{"op":"map","title":"chef de projet"}"#, #"{"op":"show","card":"concepteur-developpeur"}"#,
            #"{"op":"search","query":"boulanger"}"#, "not json",
        ] {
            _ = try warm.request(line)
        }
        warm.close()
        usleep(200_000)
        baseline = memory() ?? MemoryStatus(rss: 0, hwm: 0)
        baselineDescriptors = openDescriptors() ?? 0
    }

    /// Resets the daemon's peak resident memory (VmHWM) to its current resident memory, so that
    /// the next reading is the peak of what follows (`/proc/PID/clear_refs`, Linux ≥ 4.0).
    func resetPeakMemory() {
        guard let f = fopen("/proc/\(pid)/clear_refs", "w") else { return }
        fputs("5", f)
        fclose(f)
    }

    /// CPU time (user + system) the daemon has used, in milliseconds (/proc/PID/stat).
    func cpuMilliseconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) * 1000 / ticks
    }

    /// VmRSS and VmHWM of the daemon, nil once it is gone.
    func memory() -> MemoryStatus? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        guard let rss = field("VmRSS"), let hwm = field("VmHWM") else { return nil }
        return MemoryStatus(rss: rss, hwm: hwm)
    }

    /// Number of open file descriptors of the daemon.
    func openDescriptors() -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// The end of the daemon's log, for failure messages.
    func logTail(_ bytes: Int = 3000) -> String {
        guard let data = FileManager.default.contents(atPath: directory + "/metiersd.log") else { return "(no log)" }
        return String(decoding: data.suffix(bytes), as: UTF8.self)
    }

    /// How the process ended, for failure messages.
    var exitDescription: String {
        if process.isRunning { return "running" }
        return process.terminationReason == .uncaughtSignal
            ? "killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
    }

    /// SIGTERM, then the exit status (SIGKILL after 10 s).
    @discardableResult
    func stop() -> String {
        guard process.isRunning else { return exitDescription }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return "did not stop within 10 s of SIGTERM"
        }
        return exitDescription
    }

    func removeFiles() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func runTool(_ binary: String, _ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "METIERS_SOCKET")
        environment.removeValue(forKey: "METIERS_CONFIG")
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
