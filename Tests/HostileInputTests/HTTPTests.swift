import Foundation
import MetiersClient
import MetiersTestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The HTTP listener of the real daemon (`--http`), over real TCP: each route's status and
/// body, the error-code → status table, limits, the static page and its path safety, and
/// pipelined requests on one keep-alive connection answered in order. One daemon, with a
/// bearer token (`http.token_file`): the clients send it unless a case is about it.
final class HTTPTests: HostileTestCase {
    static let token = "s3cret-token"
    /// The page and the configuration naming it, made once before the daemon starts.
    static let site: (config: String, port: Int) = makeSite(token: token)

    override class var daemonArguments: [String] { ["--config", site.config, "--http", "127.0.0.1:\(site.port)"] }

    func http(token: String? = HTTPTests.token) throws -> HTTPWire { try HTTPWire(port: Self.site.port, token: token) }

    func testBearerTokenIsRequiredExceptForHealthz() throws {
        let wire = try http(token: nil)
        XCTAssertEqual(try wire.get("/healthz").status, 200)
        let refused = try wire.get("/v1/search?q=java")
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.header("www-authenticate"), "Bearer")
        XCTAssertEqual(try wire.send("GET", "/v1/search?q=java", headers: ["Authorization: Bearer wrong-token!"]).status, 401)
        XCTAssertEqual(try wire.send("GET", "/", headers: ["Authorization: Basic czNjcmV0LXRva2Vu"]).status, 401)
        let allowed = try wire.send("GET", "/v1/search?q=java", headers: ["Authorization: Bearer \(Self.token)"])
        XCTAssertEqual(allowed.status, 200, allowed.text)
    }

    func testEachRouteAnswersTheSocketsResponseObject() throws {
        let wire = try http()
        let health = try wire.get("/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.header("content-type"), "application/json")
        XCTAssertEqual(health.json["op"] as? String, "health")

        let search = try wire.get("/v1/search?q=d%C3%A9veloppeur+java&limit=2&facets=true")
        XCTAssertEqual(search.status, 200, search.text)
        XCTAssertEqual(search.json["op"] as? String, "search")
        let results = search.json["results"] as? [[String: Any]] ?? []
        XCTAssertEqual(results.first?["id"] as? String, "concepteur-developpeur")
        XCTAssertLessThanOrEqual(results.count, 2)
        XCTAssertNotNil(search.json["facets"])

        let filtered = try wire.get("/v1/search?q=chef+de+projet&rome=M1805&rome=M1810")
        XCTAssertEqual(filtered.status, 200, filtered.text)

        XCTAssertEqual(try wire.get("/v1/map?title=admin+sys").json["op"] as? String, "map")
        let card = try wire.get("/v1/cards/concepteur-developpeur")
        XCTAssertEqual(card.status, 200)
        XCTAssertEqual((card.json["card"] as? [String: Any])?["id"] as? String, "concepteur-developpeur")
        XCTAssertEqual(try wire.get("/v1/cards/concepteur-developpeur/similar?limit=3").json["op"] as? String, "similar")
        XCTAssertEqual(try wire.get("/v1/rome/M1805").json["op"] as? String, "rome")
        XCTAssertEqual(try wire.get("/v1/stats").json["op"] as? String, "stats")

        let classify = try wire.send(
            "POST", "/v1/classify", body: Array(#"{"postings":[{"id":1,"title":"développeur java"},{"id":2}],"limit":1}"#.utf8),
            headers: ["Content-Type: application/json"])
        XCTAssertEqual(classify.status, 200, classify.text)
        let items = classify.json["items"] as? [[String: Any]] ?? []
        XCTAssertEqual(items.map { $0["ok"] as? Bool }, [true, false])

        let lines = try wire.send(
            "POST", "/v1/classify?limit=1", body: Array("{\"id\":\"a\",\"title\":\"technicien support\"}\n{\"id\":\"b\",\"title\":\"développeur web\"}\n".utf8),
            headers: ["Content-Type: application/x-ndjson"])
        XCTAssertEqual(lines.status, 200, lines.text)
        XCTAssertEqual((lines.json["items"] as? [[String: Any]])?.map { $0["id"] as? String }, ["a", "b"])

        let metrics = try wire.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.text.contains("metiers_requests_total{op=\"search\",outcome=\"ok\"}"), metrics.text)
        XCTAssertTrue(metrics.text.contains("metiers_request_duration_seconds_bucket"))
    }

    /// Refusals made before the protocol layer (no route, wrong method, no token) never reach
    /// `metiers_requests_total`; `metiers_http_responses_total` counts them by status.
    func testRefusalsBeforeTheProtocolAreCountedByStatus() throws {
        let wire = try http()
        func count(_ status: Int) throws -> Double {
            let prefix = "metiers_http_responses_total{status=\"\(status)\"} "
            let line = try wire.get("/metrics").text.split(separator: "\n").first { $0.hasPrefix(prefix) }
            return line.flatMap { Double($0.dropFirst(prefix.count)) } ?? 0
        }
        let before = (try count(404), try count(405), try count(401))
        XCTAssertEqual(try wire.get("/v1/nowhere").status, 404)
        XCTAssertEqual(try wire.get("/no/such/file").status, 404)
        XCTAssertEqual(try wire.send("DELETE", "/v1/search?q=java").status, 405)
        XCTAssertEqual(try http(token: nil).get("/v1/stats").status, 401)
        XCTAssertEqual(try count(404) - before.0, 2)
        XCTAssertEqual(try count(405) - before.1, 1)
        XCTAssertEqual(try count(401) - before.2, 1)
        XCTAssertGreaterThan(try count(200), 0, "the /metrics answers themselves")
    }

    func testErrorCodesMapToStatuses() throws {
        let wire = try http()
        let cases: [(String, Int, String)] = [
            ("/v1/search?q=", 400, "empty_query"),
            ("/v1/search?q=%22open", 400, "query_syntax"),
            ("/v1/search?q=java&limit=abc", 400, "bad_request"),
            ("/v1/search?q=java&limit=0", 400, "bad_request"),
            ("/v1/search?q=java&bogus=1", 400, "bad_request"),
            ("/v1/cards/no-such-card", 404, "not_found"),
            ("/v1/rome/M0000", 404, "not_found"),
            ("/v1/nowhere", 404, "not_found"),
        ]
        for (path, status, code) in cases {
            let answer = try wire.get(path)
            XCTAssertEqual(answer.status, status, "\(path): \(answer.text)")
            XCTAssertEqual(answer.json["ok"] as? Bool, false, path)
            XCTAssertEqual((answer.json["error"] as? [String: Any])?["code"] as? String, code, path)
        }
        let wrongMethod = try wire.send("DELETE", "/v1/search?q=java")
        XCTAssertEqual(wrongMethod.status, 405)
        XCTAssertEqual(wrongMethod.header("allow"), "GET, HEAD")
        XCTAssertEqual(try wire.send("GET", "/v1/classify").status, 405)
        let badJSON = try wire.send("POST", "/v1/classify", body: Array("{nope".utf8), headers: ["Content-Type: application/json"])
        XCTAssertEqual(badJSON.status, 400)
        XCTAssertEqual((badJSON.json["error"] as? [String: Any])?["code"] as? String, "bad_json")
        // Classify bodies are parsed by a worker: their errors still answer 400, with the line.
        let badLine = try wire.send(
            "POST", "/v1/classify", body: Array("{\"title\":\"java\"}\n{nope\n".utf8), headers: ["Content-Type: application/x-ndjson"])
        XCTAssertEqual(badLine.status, 400, badLine.text)
        let lineError = badLine.json["error"] as? [String: Any]
        XCTAssertEqual(lineError?["code"] as? String, "bad_json")
        XCTAssertTrue((lineError?["message"] as? String ?? "").hasPrefix("line 2: "), badLine.text)
        let notAnObject = try wire.send("POST", "/v1/classify?limit=2", body: Array("[1]".utf8), headers: ["Content-Type: application/json"])
        XCTAssertEqual(notAnObject.status, 400, notAnObject.text)
        XCTAssertEqual((notAnObject.json["error"] as? [String: Any])?["code"] as? String, "bad_request")
        let wrongParameter = try wire.send("POST", "/v1/classify?top=2", body: Array("{\"postings\":[]}".utf8), headers: ["Content-Type: application/json"])
        XCTAssertEqual(wrongParameter.status, 400, wrongParameter.text)
    }

    func testBodyOverTheLineLimitIs413AndTheConnectionCloses() throws {
        let wire = try http()
        let body = Array(#"{"postings":["#.utf8) + [UInt8](repeating: 0x20, count: try daemon.maxLineBytes) + Array("]}".utf8)
        let answer = try wire.send("POST", "/v1/classify", body: body, headers: ["Content-Type: application/json"])
        XCTAssertEqual(answer.status, 413)
        XCTAssertEqual((answer.json["error"] as? [String: Any])?["code"] as? String, "line_too_long")
        XCTAssertEqual(answer.header("connection"), "close")
    }

    func testPipelinedRequestsAreAnsweredInOrderOnOneConnection() throws {
        let wire = try http()
        let paths = [
            "/v1/search?q=d%C3%A9veloppeur", "/healthz", "/v1/cards/no-such-card", "/v1/map?title=technicien+support",
            "/v1/cards/concepteur-developpeur", "/v1/stats", "/v1/search?q=r%C3%A9seau&limit=1",
        ]
        var bytes: [UInt8] = []
        for path in paths { bytes += Array("GET \(path) HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(Self.token)\r\n\r\n".utf8) }
        try wire.write(bytes)
        let ops = try paths.map { _ in try wire.readResponse() }.map { $0.json["op"] as? String ?? "-" }
        XCTAssertEqual(ops, ["search", "health", "show", "map", "show", "stats", "search"])
        // The connection is still open for more.
        XCTAssertEqual(try wire.get("/healthz").status, 200)
    }

    func testAClientTricklingARequestIsClosedAfterTheIdleTimeout() throws {
        let wire = try http()
        try wire.write(Array("GET /healthz HTTP/1.1\r\n".utf8))
        let started = Date()
        var closed = false
        while Date().timeIntervalSince(started) < HostileLimits.idleTimeout * 3 {
            usleep(300_000)
            try wire.write(Array("X-Slow: 1\r\n".utf8))
            if wire.isClosed() { closed = true; break }
        }
        XCTAssertTrue(closed, "a connection that completes no request stays open")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), HostileLimits.idleTimeout * 0.9)
    }

    func testStaticFilesAndPathSafety() throws {
        let wire = try http()
        let page = try wire.get("/")
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(page.header("content-type"), "text/html; charset=utf-8")
        XCTAssertEqual(page.header("cache-control"), "no-cache")
        XCTAssertTrue(page.text.contains("<title>metiers</title>"))
        let script = try wire.get("/app.js")
        XCTAssertEqual(script.status, 200)
        XCTAssertEqual(script.header("content-type"), "text/javascript; charset=utf-8")
        XCTAssertEqual(script.header("cache-control"), "public, max-age=300")
        XCTAssertEqual(try wire.get("/static/css/style.css").header("content-type"), "text/css; charset=utf-8")
        for escape in [
            "/../outside.txt", "/static/../outside.txt", "/static/..%2Foutside.txt", "/%2E%2E/outside.txt",
            "/static/%2e%2e/%2e%2e/etc/passwd", "/static/.secret", "/static/link-out.txt", "/static/css", "/missing.js",
        ] {
            let answer = try http().get(escape)
            XCTAssertEqual(answer.status, 404, "\(escape): \(answer.text)")
            XCTAssertEqual(answer.header("content-type"), "application/json", escape)
        }
    }

    /// The page, the file beside it that must not be served, and the configuration.
    static func makeSite(token: String?) -> (config: String, port: Int) {
        let directory = TestIndex.temporaryDirectory("metiers-http-site")
        let web = directory + "/web"
        try? FileManager.default.createDirectory(atPath: web + "/css", withIntermediateDirectories: true)
        func write(_ path: String, _ text: String) {
            precondition(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)), "cannot write \(path)")
        }
        write(web + "/index.html", "<!doctype html><title>metiers</title>\n")
        write(web + "/app.js", "console.log('metiers')\n")
        write(web + "/css/style.css", "body { margin: 0 }\n")
        write(web + "/.secret", "outside\n")
        write(directory + "/outside.txt", "outside\n")
        try? FileManager.default.createSymbolicLink(atPath: web + "/link-out.txt", withDestinationPath: directory + "/outside.txt")
        var config = "[http]\nstatic = \"web\"\n"
        if let token {
            write(directory + "/token", token + "\n")
            config += "token_file = \"token\"\n"
        }
        write(directory + "/metiers.toml", config)
        return (directory + "/metiers.toml", LoopbackTCP.freePort())
    }
}

/// A blocking HTTP/1.1 client over TCP: enough to send pipelined requests and read answers
/// with a Content-Length.
final class HTTPWire {
    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }
    }

    private var fd: Int32
    private var buffer: [UInt8] = []
    /// Sent as `Authorization: Bearer` with every request (nil: none).
    let token: String?

    init(port: Int, token: String? = nil) throws {
        self.token = token
        guard let fd = LoopbackTCP.connect(port: port) else { throw HarnessError("cannot connect to 127.0.0.1:\(port): errno \(errno)") }
        self.fd = fd
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func get(_ path: String) throws -> Answer { try send("GET", path) }

    func send(_ method: String, _ path: String, body: [UInt8] = [], headers: [String] = []) throws -> Answer {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: test\r\n"
        for header in headers { head += header + "\r\n" }
        if let token, !headers.contains(where: { $0.lowercased().hasPrefix("authorization:") }) { head += "Authorization: Bearer \(token)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        try write(Array((head + "\r\n").utf8) + body)
        return try readResponse()
    }

    func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The daemon may answer (413) and close before reading everything: read the answer.
            guard n > 0 else { return }
            sent += n
        }
    }

    func readResponse() throws -> Answer {
        let separator: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            if let range = buffer.firstRange(of: separator) { end = range.lowerBound } else { try fill() }
        }
        let head = String(decoding: buffer[..<end!], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeFirst(end! + 4)
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        let headers = head.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers.first { $0.0 == "content-length" }?.1 ?? "0") ?? 0
        while buffer.count < length { try fill() }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return Answer(status: status, headers: headers, body: body)
    }

    /// Whether the daemon closed the connection (a read finds the end, without waiting).
    func isClosed() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_DONTWAIT) | Int32(MSG_PEEK))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw HarnessError("the connection closed or timed out (\(n), errno \(errno)) with \(buffer.count) bytes unread") }
        buffer += chunk[..<n]
    }
}
