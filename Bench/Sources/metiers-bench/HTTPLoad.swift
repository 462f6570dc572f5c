#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MetiersClient

/// One keep-alive HTTP/1.1 connection to metiersd's HTTP listener (blocking, loopback): a GET,
/// then its answer read to the end of its Content-Length. The client side of the HTTP row, kept
/// as lean as `MetiersConnection` is for the socket, so the two rows compare the servers.
final class HTTPConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(port: Int) throws {
        guard let fd = LoopbackTCP.connect(port: port) else { throw BenchError("cannot connect to 127.0.0.1:\(port) (errno \(errno))") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The request head of `GET target`.
    static func get(_ target: String) -> [UInt8] { Array("GET \(target) HTTP/1.1\r\nHost: bench\r\n\r\n".utf8) }

    /// Sends a request; returns the status and the body.
    func exchange(_ request: [UInt8]) throws -> (status: Int, body: ArraySlice<UInt8>) {
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw BenchError("HTTP send failed (errno \(errno))") }
            sent += n
        }
        let end: Int
        while true {
            if let range = buffer.firstRange(of: [13, 10, 13, 10]) { end = range.upperBound; break }
            try fill()
        }
        let head = String(decoding: buffer[..<end], as: UTF8.self).lowercased()
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        guard let lengthLine = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(lengthLine.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { throw BenchError("an HTTP answer without Content-Length") }
        while buffer.count < end + length { try fill() }
        let body = buffer[end..<(end + length)]
        buffer.removeFirst(end + length)
        return (status, body)
    }

    private func fill() throws {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw BenchError("the HTTP connection closed (errno \(errno))") }
        buffer.append(contentsOf: chunk[..<n])
    }
}

/// The percent-encoded query string value of `text` (`+` for spaces).
func formEncoded(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            out.unicodeScalars.append(UnicodeScalar(byte))
        case UInt8(ascii: " "):
            out += "+"
        default:
            out += String(format: "%%%02X", byte)
        }
    }
    return out
}

/// One client doing `total` GETs on one keep-alive connection (request k is
/// `requests[(offset + k) % requests.count]`), as `runLoad` does on the socket.
func runHTTPLoad(port: Int, requests: [[UInt8]], total: Int, offset: Int = 0) -> LoadResult {
    var result = LoadResult()
    let clock = ContinuousClock()
    let connection: HTTPConnection
    do {
        connection = try HTTPConnection(port: port)
    } catch {
        result.errors = total
        result.firstError = "\(error)"
        return result
    }
    let start = clock.now
    for k in 0..<total {
        let t0 = clock.now
        do {
            let (status, body) = try connection.exchange(requests[(offset + k) % requests.count])
            result.latencies.append(clock.now - t0)
            if status != 200 || !Array(body).contains(bytes: okTrue) {
                result.errors += 1
                if result.firstError == nil { result.firstError = "\(status): " + String(decoding: body.prefix(300), as: UTF8.self) }
            }
        } catch {
            result.errors += total - k
            result.firstError = "\(error)"
            break
        }
    }
    result.wall = clock.now - start
    result.requests = result.latencies.count
    return result
}
