#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The transport floor: a bare line server on a Unix socket, one thread per connection, plain
/// POSIX read/write. It does no work but framing: for a bench request line whose id is k
/// (`{"v":1,"id":k,…`) it writes back the daemon's recorded response k, so that both directions
/// carry exactly the bytes metiersd's exchange carries; any other line is echoed as is.
final class EchoServer: @unchecked Sendable {
    let path: String
    private let replies: [[UInt8]]
    private let listenFD: Int32

    init(path: String, replies: [[UInt8]]) throws {
        self.path = path
        self.replies = replies.map { $0 + [UInt8(ascii: "\n")] }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BenchError("echo: socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw BenchError("echo: socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 512) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BenchError("echo: bind/listen on \(path): \(reason)")
        }
        listenFD = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "echo-accept"
        thread.start()
    }

    /// Stops accepting (open connections end when their clients close).
    func stop() {
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        unlink(path)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let thread = Thread { [self] in serve(client) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var pending: [UInt8] = []
        pending.reserveCapacity(1 << 16)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let prefix = Lines.idPrefix
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            pending.append(contentsOf: chunk[0..<n])
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                // The id after the fixed prefix selects the reply.
                var reply: [UInt8]?
                if newline - start > prefix.count, pending[start..<(start + prefix.count)].elementsEqual(prefix) {
                    var k = 0
                    var i = start + prefix.count
                    while i < newline, pending[i] >= 48, pending[i] <= 57 {
                        k = k * 10 + Int(pending[i] - 48)
                        i += 1
                    }
                    if k < replies.count { reply = replies[k] }
                }
                let ok: Bool
                if let reply {
                    ok = writeAll(fd, reply)
                } else {
                    ok = writeAll(fd, Array(pending[start...newline]))
                }
                if !ok { return }
                start = newline + 1
            }
            pending.removeFirst(start)
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            sent += n
        }
        return true
    }
}
