#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the client could not talk to the daemon.
public enum ConnectionError: Error, CustomStringConvertible, Equatable {
    /// No daemon answers on the socket (missing file, or not a socket).
    case noDaemon(path: String, reason: String)
    /// The socket file exists but nothing listens on it (ECONNREFUSED): no daemon, or one that
    /// is restarting.
    case refused(path: String)
    /// The socket exists but this user may not connect to it (EACCES): not in the socket's group.
    /// `group` is the socket file's group, when it can be named.
    case notPermitted(path: String, group: String?)
    /// The socket path does not fit in a Unix socket address.
    case pathTooLong(String)
    /// The connection broke while sending or receiving.
    case io(String)
    /// The daemon reset the connection (ECONNRESET, EPIPE): a stopping daemon closes a
    /// connection whose request it has not read.
    case reset(String)
    /// The daemon closed the connection before answering.
    case closedByDaemon

    public var description: String {
        switch self {
        case .noDaemon(let path, let reason):
            "no metiers daemon answers on \(path) (\(reason)); start one with `metiersd --socket \(path)`, or point to it with --socket or METIERS_SOCKET"
        case .refused(let path):
            ConnectionError.noDaemon(path: path, reason: String(cString: strerror(ECONNREFUSED))).description
        case .notPermitted(let path, let group?):
            "permission denied on \(path): the daemon accepts only members of group \(group); ask an administrator to add you (usermod -aG \(group) USER), then log in again"
        case .notPermitted(let path, nil):
            "permission denied on \(path): this user may not connect to the daemon's socket (see SocketGroup= in metiersd.socket)"
        case .pathTooLong(let path): "the socket path is too long for a Unix socket: \(path)"
        case .io(let message), .reset(let message): "connection to the daemon failed: \(message)"
        case .closedByDaemon: "the daemon closed the connection without answering"
        }
    }

    /// A failure a daemon that is stopping or restarting causes, which a new connection may not
    /// meet: nothing listening yet, or the connection reset or closed before the answer.
    public var isTransient: Bool {
        switch self {
        case .refused, .reset, .closedByDaemon: true
        case .noDaemon, .notPermitted, .pathTooLong, .io: false
        }
    }
}

/// A blocking connection to metiersd over its Unix socket: write request lines, read response
/// lines. Plain POSIX calls, so a client process starts and finishes fast.
public final class MetiersConnection {
    private let fd: Int32
    public let path: String
    private var buffer: [UInt8] = []
    private var start = 0

    public init(path: String) throws(ConnectionError) {
        self.path = path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .pathTooLong(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .io(String(cString: strerror(errno))) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            if code == EACCES || code == EPERM { throw .notPermitted(path: path, group: Self.groupName(of: path)) }
            if code == ECONNREFUSED { throw .refused(path: path) }
            throw .noDaemon(path: path, reason: String(cString: strerror(code)))
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The name of the group owning `path` (the socket's SocketGroup=), nil when unknown.
    static func groupName(of path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, let entry = getgrgid(status.st_gid), let name = entry.pointee.gr_name else { return nil }
        return String(cString: name)
    }

    /// Sends one line (a newline is appended).
    public func send(line: some Collection<UInt8>) throws(ConnectionError) {
        var bytes = Array(line)
        bytes.append(UInt8(ascii: "\n"))
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure(errno)
            }
            sent += n
        }
    }

    /// Reads one line (without its newline); nil at end of stream.
    public func readLine() throws(ConnectionError) -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                if start > 65536 {
                    buffer.removeFirst(start)
                    start = 0
                }
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure(errno)
            }
            if n == 0 {
                if start < buffer.count {
                    let rest = Array(buffer[start...])
                    buffer.removeAll()
                    start = 0
                    return rest
                }
                return nil
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Sends one request line and returns its response line.
    public func exchange(_ line: some Collection<UInt8>) throws(ConnectionError) -> [UInt8] {
        try send(line: line)
        guard let response = try readLine() else { throw .closedByDaemon }
        return response
    }

    /// The pauses before each new attempt of `exchange(path:_:retry:)`, in milliseconds.
    /// `restart` (about 1.5 s in all) covers a daemon's stop and restart: under socket
    /// activation the socket stays open and a connection waits for the new daemon, so the
    /// usual retry is one, after a stopping daemon closed a connection before reading it.
    public struct RetryDelays: Sendable, Equatable {
        public var milliseconds: [Int]
        public init(milliseconds: [Int]) { self.milliseconds = milliseconds }
        public static let restart = RetryDelays(milliseconds: [20, 80, 200, 400, 800])
        public static let none = RetryDelays(milliseconds: [])
    }

    /// One request and its answer over a new connection, sent again on a new connection when
    /// the failure is transient (`ConnectionError.isTransient`: nothing listening yet, or the
    /// connection reset or closed before the answer). Only for requests that may
    /// be sent twice: every single request of the protocol may (they read, and `reload` is
    /// idempotent). A reset or closed connection is retried at most twice, so a request that
    /// crashes the daemon is not sent over and over.
    public static func exchange(path: String, _ line: some Collection<UInt8>, retry: RetryDelays = .restart) throws(ConnectionError) -> [UInt8] {
        var delays = retry.milliseconds[...]
        var broken = 0
        while true {
            do {
                return try MetiersConnection(path: path).exchange(line)
            } catch {
                if case .refused = error {} else { broken += 1 }
                guard error.isTransient, broken <= 2, let delay = delays.popFirst() else { throw error }
                usleep(UInt32(delay) * 1000)
            }
        }
    }

    private static func failure(_ code: Int32) -> ConnectionError {
        let message = String(cString: strerror(code))
        return code == ECONNRESET || code == EPIPE ? .reset(message) : .io(message)
    }
}
