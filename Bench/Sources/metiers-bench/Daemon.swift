#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MetiersClient

/// Where the release binaries are: --bin-dir (Scripts/bench: the main package's release build),
/// else beside this executable.
struct Binaries {
    let directory: String
    var metiersd: String { directory + "/metiersd" }
    var metiersIndex: String { directory + "/metiers-index" }
    var metiers: String { directory + "/metiers" }
    var all: [String] { [metiersIndex, metiersd, metiers] }
    var missing: [String] { all.filter { !isExecutable($0) } }

    /// The build's scratch directory: `<scratch>/<triple>/<config>/metiers-bench`.
    var scratchPath: String? {
        let config = directory
        let triple = directoryOf(config)
        let name = (triple as NSString).lastPathComponent
        if name.contains("-linux") || name.contains("-apple-") { return directoryOf(triple) }
        return triple
    }

    var configuration: String { (directory as NSString).lastPathComponent }

    /// Builds what is missing from the main package (the repository) with the scratch path and
    /// configuration of `directory` (`swift run -c release --package-path Bench metiers-bench`
    /// without --bin-dir builds only the bench).
    func buildMissing(repository: String) throws {
        let missing = self.missing
        guard !missing.isEmpty else { return }
        guard let scratch = scratchPath else { throw BenchError("cannot tell the build directory of \(directory)") }
        let swift = ["/usr/bin/swift", "/usr/local/bin/swift"].first(where: isExecutable)
            ?? (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/swift" }.first(where: isExecutable)
        guard let swift else { throw BenchError("\(missing.joined(separator: ", ")) missing and no `swift` to build them") }
        for binary in missing {
            let product = (binary as NSString).lastPathComponent
            progress("building \(product) (-c \(configuration), scratch path \(scratch))")
            let status = try Spawn.run(
                swift, ["build", "--package-path", repository, "-c", configuration, "--scratch-path", scratch, "--product", product],
                environment: Spawn.environment([:]), stdout: "/dev/stderr", stderr: "/dev/stderr")
            guard status == 0 else { throw BenchError("`swift build --product \(product)` failed (\(status))") }
        }
    }
}

/// A metiersd process serving one index on one socket.
final class Daemon {
    let pid: pid_t
    let socket: String
    let log: String

    /// The loopback port of its HTTP listener (nil: none).
    let httpPort: Int?

    /// Starts metiersd (with an HTTP listener on `httpPort` when given) and waits until it
    /// answers `health`.
    init(binaries: Binaries, db: String, socket: String, log: String, environment: [String], httpPort: Int? = nil) throws {
        self.socket = socket
        self.log = log
        self.httpPort = httpPort
        unlink(socket)
        let http = httpPort.map { ["--http", "127.0.0.1:\($0)"] } ?? []
        pid = try Spawn.start(binaries.metiersd, ["--db", db, "--socket", socket, "--log-level", "warning"] + http,
                              environment: environment, stdout: log, stderr: log)
        ChildProcesses.add(pid)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline {
            if let status = Spawn.poll(pid) {
                ChildProcesses.remove(pid)
                throw BenchError("metiersd exited (\(status)) before answering:\n\(tail(ofFile: log))")
            }
            if let connection = try? MetiersConnection(path: socket),
                let answer = try? connection.exchange(Lines.health), answer.contains(bytes: okTrue)
            {
                return
            }
            sleepMilliseconds(20)
        }
        kill(pid, SIGKILL)
        Spawn.wait(pid)
        ChildProcesses.remove(pid)
        throw BenchError("metiersd did not answer on \(socket) within 30 s:\n\(tail(ofFile: log))")
    }

    var rssKiB: Int { procStatusKiB(pid: pid, "VmRSS") ?? 0 }
    var peakRSSKiB: Int { procStatusKiB(pid: pid, "VmHWM") ?? 0 }

    /// SIGTERM, then SIGKILL after 10 s.
    func stop() {
        defer { ChildProcesses.remove(pid) }
        kill(pid, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while clock.now < deadline {
            if Spawn.poll(pid) != nil { return }
            sleepMilliseconds(10)
        }
        kill(pid, SIGKILL)
        Spawn.wait(pid)
    }
}
