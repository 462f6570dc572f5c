#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// The service manager's readiness protocol (`sd_notify(3)`), without libsystemd: datagrams of
/// newline-separated `KEY=VALUE` assignments sent to the AF_UNIX socket named by
/// `$NOTIFY_SOCKET` (a path, or an abstract-namespace name when it starts with "@").
///
/// When `NOTIFY_SOCKET` is unset (the daemon was started by hand) every method does nothing.
/// A notification that cannot be sent is not an error for the daemon: each method returns
/// whether the datagram was sent and, given a logger, logs one that was not (naming its first
/// assignment), since under `Type=notify` systemd would otherwise wait for `READY=1` until its
/// timeout with nothing said.
public struct SystemdNotifier: Sendable {
    /// The notification socket (`$NOTIFY_SOCKET` at creation), nil when there is none.
    public let socketPath: String?

    /// Reads `$NOTIFY_SOCKET`. The variable is left in place, so a later notifier (or
    /// `STOPPING=1` at the end) still finds it; metiersd starts no child processes.
    public init() {
        if let value = getenv("NOTIFY_SOCKET") {
            self.init(socketPath: String(cString: value))
        } else {
            self.init(socketPath: nil)
        }
    }

    /// A notifier for an explicit socket (tests); an empty path means none.
    public init(socketPath: String?) {
        self.socketPath = socketPath.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether notifications go anywhere.
    public var isEnabled: Bool { socketPath != nil }

    /// `READY=1`: start-up is finished (the index is open and the socket accepts connections).
    @discardableResult
    public func ready(status: String? = nil, logger: Logger? = nil) -> Bool {
        notify(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []), logger: logger)
    }

    /// `STOPPING=1`: the daemon has begun shutting down.
    @discardableResult
    public func stopping(status: String? = nil, logger: Logger? = nil) -> Bool {
        notify(["STOPPING=1"] + (status.map { ["STATUS=\($0)"] } ?? []), logger: logger)
    }

    /// `RELOADING=1` with `MONOTONIC_USEC` (CLOCK_MONOTONIC, µs), as `Type=notify-reload`
    /// (systemd 253) requires; send `ready()` when the reload is done.
    @discardableResult
    public func reloading(status: String? = nil, logger: Logger? = nil) -> Bool {
        notify(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"] + (status.map { ["STATUS=\($0)"] } ?? []), logger: logger)
    }

    /// `STATUS=…`: a one-line status shown by `systemctl status`.
    @discardableResult
    public func status(_ text: String) -> Bool {
        notify(["STATUS=\(text)"])
    }

    /// Sends one datagram with the given assignments (newlines inside a value are replaced by
    /// spaces, as one assignment is one line); logs to `logger` when it could not be sent.
    @discardableResult
    public func notify(_ assignments: [String], logger: Logger? = nil) -> Bool {
        guard let socketPath, let first = assignments.first else { return false }
        let message = assignments
            .map { String($0.map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
            .joined(separator: "\n")
        #if os(Linux)
        let sent = Self.send(Array(message.utf8), to: socketPath)
        #else
        let sent = false
        #endif
        if !sent {
            logger?.warning("cannot notify the service manager", metadata: ["notification": "\(first)", "socket": "\(socketPath)"])
        }
        return sent
    }

    /// CLOCK_MONOTONIC in microseconds.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    #if os(Linux)
    private static func send(_ payload: [UInt8], to path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(path.utf8)
        let abstract = name.first == UInt8(ascii: "@")
        // A path must be absolute; an abstract name is "@" followed by at least one byte.
        guard abstract ? name.count > 1 : name.first == UInt8(ascii: "/") else { return false }
        if abstract { name[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        // A path needs room for its terminating NUL; an abstract name has none.
        guard name.count + (abstract ? 0 : 1) <= capacity else { return false }
        if !abstract && name.contains(0) { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: name)
            if !abstract { raw[name.count] = 0 }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        let length = socklen_t(pathOffset + name.count + (abstract ? 0 : 1))

        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        while true {
            let sent = payload.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, length)
                    }
                }
            }
            if sent >= 0 { return sent == payload.count }
            if errno != EINTR { return false }
        }
    }
    #endif
}
