import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A raw Unix-socket client for hostile tests: every read and write has a deadline (poll), so a
/// daemon that hangs fails the test instead of blocking it; writes never raise SIGPIPE.
final class Wire: @unchecked Sendable {
    enum Failure: Error, CustomStringConvertible, Equatable {
        case connect(Int32)
        case timeout(String)
        case closed
        case reset
        case io(String, Int32)

        var description: String {
            switch self {
            case .connect(let e): "connect failed: \(String(cString: strerror(e)))"
            case .timeout(let what): "timed out \(what)"
            case .closed: "the daemon closed the connection"
            case .reset: "the connection was reset"
            case .io(let what, let e): "\(what) failed: \(String(cString: strerror(e)))"
            }
        }
    }

    private(set) var fd: Int32
    private var buffer: [UInt8] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.io("socket", errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            fd = -1
            throw Failure.connect(error)
        }
    }

    deinit { close() }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Stops sending (the daemon reads end of input) but keeps reading.
    func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    // MARK: - writing

    func send(_ line: String, timeout: Double = 10) throws {
        try write(Array((line + "\n").utf8), timeout: timeout)
    }

    /// Writes every byte, or throws: `.closed`/`.reset` when the daemon went away, `.timeout`
    /// when it stopped reading.
    func write(_ bytes: [UInt8], timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if n > 0 {
                offset += n
                continue
            }
            let error = errno
            switch error {
            case EAGAIN, EWOULDBLOCK, EINTR:
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0 else { throw Failure.timeout("writing (\(offset) of \(bytes.count) bytes written; the daemon stopped reading)") }
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, Int32(min(remaining, 1) * 1000) + 1)
            case EPIPE: throw Failure.closed
            case ECONNRESET: throw Failure.reset
            default: throw Failure.io("send", error)
            }
        }
    }

    /// Writes what the socket takes without waiting; the count written, or nil once the peer is
    /// gone.
    func writeSome(_ bytes: [UInt8]) -> Int? {
        let n = bytes.withUnsafeBytes { raw in
            Glibc.send(fd, raw.baseAddress!, bytes.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
        }
        if n >= 0 { return n }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : nil
    }

    // MARK: - reading

    /// One read(2) into the buffer, waiting at most `timeout`: false on timeout.
    private func fill(timeout: Double) throws -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&p, 1, Int32(max(0, timeout) * 1000))
        if ready == 0 { return false }
        if ready < 0 {
            if errno == EINTR { return true }
            throw Failure.io("poll", errno)
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n > 0 {
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        if n == 0 { throw Failure.closed }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR: return true
        case ECONNRESET: throw Failure.reset
        default: throw Failure.io("recv", errno)
        }
    }

    /// The next line (without its newline).
    func readLine(timeout: Double = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                throw Failure.timeout("after \(timeout) s waiting for a response line (\(buffer.count) bytes of a partial line)")
            }
            _ = try fill(timeout: remaining)
        }
    }

    /// The next response, parsed.
    func readResponse(timeout: Double = 10) throws -> [String: Any] {
        let line = try readLine(timeout: timeout)
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw HarnessError("the response is not a JSON object: \(line.prefix(500))")
        }
        return object
    }

    /// Sends one line and reads its response.
    func request(_ line: String, timeout: Double = 10) throws -> [String: Any] {
        try send(line)
        return try readResponse(timeout: timeout)
    }

    func request(bytes: [UInt8], timeout: Double = 10) throws -> [String: Any] {
        try write(bytes + [0x0A])
        return try readResponse(timeout: timeout)
    }

    /// What happened while waiting for the daemon to close the connection.
    struct Ending {
        /// The lines received before the end.
        var lines: [String]
        /// Closed (end of file or reset) before the deadline.
        var closed: Bool
        /// How long it took.
        var elapsed: Double
    }

    /// Reads until the daemon closes the connection or `timeout` passes.
    func waitForClose(timeout: Double) -> Ending {
        let start = Date()
        var lines: [String] = []
        while true {
            do {
                lines.append(try readLine(timeout: max(0.01, timeout - Date().timeIntervalSince(start))))
            } catch let failure as Failure where failure == .closed || failure == .reset {
                return Ending(lines: lines, closed: true, elapsed: Date().timeIntervalSince(start))
            } catch {
                return Ending(lines: lines, closed: false, elapsed: Date().timeIntervalSince(start))
            }
        }
    }

    /// True when the socket has something to read (or was closed) within `timeout`.
    func readable(within timeout: Double) -> Bool {
        if buffer.contains(UInt8(ascii: "\n")) { return true }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, Int32(timeout * 1000)) > 0
    }
}

/// Reading responses.
extension Dictionary where Key == String, Value == Any {
    var ok: Bool? { self["ok"] as? Bool }
    var errorCode: String? { (self["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (self["error"] as? [String: Any])?["message"] as? String }
    /// "ok" for a success, else the error code.
    var outcome: String { ok == true ? "ok" : (errorCode ?? "no error code in \(self)") }
    var firstResultID: String? { (self["results"] as? [[String: Any]])?.first?["id"] as? String }
    var results: [[String: Any]]? { self["results"] as? [[String: Any]] }
}
