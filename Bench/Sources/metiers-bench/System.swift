#if canImport(Glibc)
import Glibc
#endif
import Foundation

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The machine, for the header.
enum Machine {
    static var cores: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    static var kernel: String {
        var u = utsname()
        uname(&u)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        return "\(field(u.sysname)) \(field(u.release)) \(field(u.machine))"
    }

    static var memoryTotal: String {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return "?" }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let kib = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            return Format.fixed(Double(kib) / 1024 / 1024, 1) + " GiB"
        }
        return "?"
    }
}

/// A field of /proc/PID/status in KiB (VmRSS, VmHWM); nil when unreadable.
func procStatusKiB(pid: pid_t, _ key: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if parts.count >= 2 { return Int(parts[1]) }
    }
    return nil
}

/// CPU time (user + system) of a process so far, from /proc/PID/stat; nil when unreadable.
func processCPUSeconds(pid: pid_t) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
    else { return nil }
    // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// CPU time of the calling thread, in µs.
func threadCPUMicroseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) * 1e6 + Double(ts.tv_nsec) / 1e3
}

/// The 1, 5 and 15-minute load averages.
var loadAverage: String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// The real path of this executable.
func ownExecutablePath() -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if n > 0 {
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    let arg0 = CommandLine.arguments[0]
    return URL(fileURLWithPath: arg0).standardizedFileURL.resolvingSymlinksInPath().path
}

func directoryOf(_ path: String) -> String { (path as NSString).deletingLastPathComponent }

func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

/// The repository: the first directory from the current one upwards that holds Package.swift
/// and Index/cards; else the one this source file is in.
func locateRepository() -> String? {
    var dir = FileManager.default.currentDirectoryPath
    while true {
        if fileExists(dir + "/Package.swift") && fileExists(dir + "/Index/cards") { return dir }
        let parent = directoryOf(dir)
        if parent == dir || parent.isEmpty { break }
        dir = parent
    }
    // #filePath: <repo>/Bench/Sources/metiers-bench/System.swift
    let fromSource = directoryOf(directoryOf(directoryOf(directoryOf(#filePath))))
    if fileExists(fromSource + "/Index/cards") { return fromSource }
    return nil
}

/// A temporary directory, removed by `remove()`.
final class TemporaryDirectory {
    let path: String

    init(prefix: String) throws {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("mkdtemp failed: \(String(cString: strerror(errno)))") }
        path = String(cString: made)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Processes started with posix_spawn (no shell, no Foundation.Process overhead in timings).
enum Spawn {
    /// The environment of this process with `overrides` applied (nil removes a variable).
    static func environment(_ overrides: [String: String?]) -> [String] {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in overrides {
            if let v { env[k] = v } else { env.removeValue(forKey: k) }
        }
        return env.map { "\($0.key)=\($0.value)" }.sorted()
    }

    /// Starts `path` with `arguments`; stdout and stderr go to the given files (nil: /dev/null).
    static func start(_ path: String, _ arguments: [String], environment: [String], stdout: String? = nil, stderr: String? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let stderr, stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw BenchError("cannot start \(path): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Waits for `pid`; its exit status (128+signal when killed).
    @discardableResult
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        return decode(status)
    }

    /// The exit status if `pid` has exited, else nil.
    static func poll(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        return r == pid ? decode(status) : nil
    }

    static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Runs to completion.
    static func run(_ path: String, _ arguments: [String], environment: [String], stdout: String? = nil, stderr: String? = nil) throws -> Int32 {
        wait(try start(path, arguments, environment: environment, stdout: stdout, stderr: stderr))
    }
}

func sleepMilliseconds(_ ms: Int) { usleep(useconds_t(ms * 1000)) }

/// stderr progress lines (the table goes to stdout).
func progress(_ message: String) {
    FileHandle.standardError.write(Data(("· " + message + "\n").utf8))
}

func tail(ofFile path: String, lines: Int = 10) -> String {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
    return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
}

/// Child processes to stop if the bench is interrupted (SIGINT/SIGTERM): a fixed table that
/// the signal handler can read without allocating.
enum ChildProcesses {
    static let capacity = 64
    nonisolated(unsafe) static let table: UnsafeMutablePointer<pid_t> = {
        let p = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()

    static func add(_ pid: pid_t) {
        for i in 0..<capacity where table[i] == 0 {
            table[i] = pid
            return
        }
    }

    static func remove(_ pid: pid_t) {
        for i in 0..<capacity where table[i] == pid { table[i] = 0 }
    }

    /// `rm -rf DIR` as prepared C strings, run from the handler (nil: nothing to remove).
    nonisolated(unsafe) static var removal: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

    static func removeOnInterrupt(_ directory: String) {
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 4)
        argv[0] = strdup("/bin/rm")
        argv[1] = strdup("-rf")
        argv[2] = strdup(directory)
        argv[3] = nil
        removal = argv
    }

    /// On SIGINT or SIGTERM: SIGTERM every registered child, remove the temporary directory
    /// (a forked `rm -rf`), exit 130. Only async-signal-safe calls.
    static func installHandlers() {
        _ = table
        let handler: @convention(c) (Int32) -> Void = { _ in
            for i in 0..<ChildProcesses.capacity where ChildProcesses.table[i] != 0 {
                kill(ChildProcesses.table[i], SIGTERM)
                var status: Int32 = 0
                waitpid(ChildProcesses.table[i], &status, 0)
            }
            if let argv = ChildProcesses.removal {
                let child = fork()
                if child == 0 {
                    execv("/bin/rm", argv)
                    _exit(127)
                }
                if child > 0 {
                    var status: Int32 = 0
                    waitpid(child, &status, 0)
                }
            }
            _exit(130)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
