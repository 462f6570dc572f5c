#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the client could not talk to the daemon.
public enum ConnectionError: Error, CustomStringConvertible, Equatable {
    /// No daemon answers on the socket (missing file, refused, or not a socket).
    case noDaemon(path: String, reason: String)
    /// The socket path does not fit in a Unix socket address.
    case pathTooLong(String)
    /// The connection broke while sending or receiving.
    case io(String)
    /// The daemon closed the connection before answering.
    case closedByDaemon

    public var description: String {
        switch self {
        case .noDaemon(let path, let reason):
            "no metiers daemon answers on \(path) (\(reason)); start one with `metiersd --socket \(path)`, or point to it with --socket or METIERS_SOCKET"
        case .pathTooLong(let path): "the socket path is too long for a Unix socket: \(path)"
        case .io(let message): "connection to the daemon failed: \(message)"
        case .closedByDaemon: "the daemon closed the connection without answering"
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
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .noDaemon(path: path, reason: reason)
        }
        self.fd = fd
    }

    deinit { close(fd) }

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
                throw .io(String(cString: strerror(errno)))
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
                throw .io(String(cString: strerror(errno)))
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
}
