#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Socket activation (`sd_listen_fds(3)`), without libsystemd: the service manager opens the
/// listening socket (metiersd.socket) and passes it as file descriptor 3, with
/// `LISTEN_PID` (the process meant to take it) and `LISTEN_FDS` (how many) in the environment.
public enum SocketActivation {
    /// The first passed descriptor (`SD_LISTEN_FDS_START`).
    public static let firstDescriptor: Int32 = 3

    /// Why a passed socket cannot be used (the description says what is wrong; callers add
    /// the context, e.g. "socket activation: ").
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// An environment variable is not a number.
        case malformed(variable: String, value: String)
        /// metiersd listens on exactly one socket.
        case unexpectedCount(Int)
        /// The descriptor is not open or not a socket.
        case notASocket(Int32)
        /// The socket is not a stream socket (e.g. `ListenDatagram=`).
        case notAStreamSocket(Int32)
        /// The socket is not listening (e.g. `Accept=yes` passed a connection).
        case notListening(Int32)
        /// The socket is not an AF_UNIX socket (e.g. a TCP port in `ListenStream=`).
        case notUnixDomain(Int32, family: Int32)

        public var description: String {
            switch self {
            case .malformed(let variable, let value):
                "\(variable)=\(value) is not a number"
            case .unexpectedCount(let count):
                "\(count) sockets passed (LISTEN_FDS), metiersd takes exactly one: one ListenStream= in metiersd.socket"
            case .notASocket(let fd):
                "file descriptor \(fd) is not a socket"
            case .notAStreamSocket(let fd):
                "file descriptor \(fd) is not a stream socket (use ListenStream=)"
            case .notListening(let fd):
                "file descriptor \(fd) is not a listening socket (metiersd.socket must not set Accept=yes)"
            case .notUnixDomain(let fd, let family):
                "file descriptor \(fd) is not a Unix domain socket (address family \(family)); ListenStream= must be a path"
            }
        }
    }

    /// The listening socket passed by the service manager, or nil when the process was not
    /// socket-activated (no `LISTEN_PID`, or one naming another process, or `LISTEN_FDS=0`).
    ///
    /// Exactly one descriptor is accepted, and it must be a listening AF_UNIX stream socket.
    /// `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` are removed from the environment in every
    /// case, so no child process inherits them; the descriptor is marked close-on-exec. Call it
    /// once, early, before other threads read the environment.
    public static func listeningSocket() throws -> Int32? {
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pidText = environment("LISTEN_PID") else { return nil }
        guard let pid = Int32(pidText), pid > 0 else {
            throw Failure.malformed(variable: "LISTEN_PID", value: pidText)
        }
        guard pid == getpid() else { return nil }
        guard let countText = environment("LISTEN_FDS") else { return nil }
        guard let count = Int(countText), count >= 0 else {
            throw Failure.malformed(variable: "LISTEN_FDS", value: countText)
        }
        if count == 0 { return nil }
        guard count == 1 else { throw Failure.unexpectedCount(count) }
        let fd = firstDescriptor
        try validateListeningSocket(fd)
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        return fd
    }

    /// Checks that `fd` is a listening AF_UNIX stream socket.
    public static func validateListeningSocket(_ fd: Int32) throws {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK else { throw Failure.notASocket(fd) }
        #if canImport(Glibc)
        let stream = Int32(SOCK_STREAM.rawValue)
        #else
        let stream = SOCK_STREAM
        #endif
        guard integerOption(fd, SO_TYPE) == stream else { throw Failure.notAStreamSocket(fd) }
        guard integerOption(fd, SO_ACCEPTCONN) == 1 else { throw Failure.notListening(fd) }
        let family = addressFamily(fd)
        guard family == AF_UNIX else { throw Failure.notUnixDomain(fd, family: family) }
    }

    /// The address a Unix domain socket is bound to: its path, "@name" for an abstract one,
    /// nil when it is unnamed or not a Unix domain socket.
    public static func localPath(of fd: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0, address.sun_family == sa_family_t(AF_UNIX) else { return nil }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        let count = min(Int(length) - pathOffset, MemoryLayout.size(ofValue: address.sun_path))
        guard count > 0 else { return nil }
        let bytes = withUnsafeBytes(of: &address.sun_path) { Array($0.prefix(count)) }
        if bytes[0] == 0 {
            return "@" + String(decoding: bytes.dropFirst(), as: UTF8.self)
        }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    private static func integerOption(_ fd: Int32, _ option: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, option, &value, &length) == 0 else { return nil }
        return value
    }

    private static func addressFamily(_ fd: Int32) -> Int32 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? Int32(storage.ss_family) : -1
    }
}
