import Logging
import MetiersProtocol
import NIOCore
import NIOHTTP1

/// The HTTP listener's settings (the socket's limits and time budget apply as they are).
public struct HTTPSettings: Sendable {
    /// Address to listen on (`127.0.0.1`, `::1`, `0.0.0.0`…) and port (0: any free one).
    public var host: String
    public var port: Int
    /// Directory of the web page served at `/` and `/static/…` (nil: none).
    public var staticDirectory: String?
    /// The bearer token every route but `/healthz` requires (nil: none).
    public var token: String?
    /// Longest request target (path and query), in bytes; longer: 414. The listener sets it to
    /// the socket's longest line: a query too long for the socket is refused by the same check.
    public var maximumURILength = 1 << 20
    /// The Prometheus text of `/metrics` (nil: no such route).
    public var metrics: (@Sendable () -> [UInt8])?

    public init(host: String, port: Int, staticDirectory: String? = nil, token: String? = nil, metrics: (@Sendable () -> [UInt8])? = nil) {
        self.host = host
        self.port = port
        self.staticDirectory = staticDirectory
        self.token = token
        self.metrics = metrics
    }
}

/// One HTTP connection, behind NIOHTTP1's decoder and pipelining handler (which hands over one
/// request at a time, so answers keep the requests' order). Each request becomes a protocol
/// request line (`HTTPRoutes`) and goes the socket's way: the dispatcher answers `health` and
/// `stats` on the loop and hands the rest to the search pool.
final class HTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let dispatcher: RequestDispatcher
    private let settings: HTTPSettings
    private let files: StaticFiles?
    private let maximumBody: Int
    private let logger: Logger
    /// A client that trickles bytes without finishing a request is closed after the idle
    /// timeout, as on the socket.
    private let idle: IdleWatch

    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    /// The request was answered already (too large, unauthorized): the rest of it is dropped.
    private var answered = false
    /// A request is with the search pool (the connection is not idle).
    private var inFlight = false
    /// The body is over the limit: the rest is read and dropped, then answered 413.
    private var discarding = false
    /// Bytes of the body read so far.
    private var received = 0
    private var tooLarge: ProtocolError {
        ProtocolError(.lineTooLong, "a request body may be at most \(maximumBody) bytes (limits.max_line_bytes); the connection is closed")
    }

    init(dispatcher: RequestDispatcher, settings: HTTPSettings, files: StaticFiles?, maximumBody: Int, idleTimeout: Duration, logger: Logger) {
        self.dispatcher = dispatcher
        self.settings = settings
        self.files = files
        self.maximumBody = maximumBody
        self.idle = IdleWatch(timeout: idleTimeout)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        idle.start(context: context, state: dispatcher.state, logger: logger) { self.inFlight }
    }

    func channelInactive(context: ChannelHandlerContext) {
        idle.stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.removeAll(keepingCapacity: true)
            answered = false
            discarding = false
            received = 0
            if head.uri.utf8.count > settings.maximumURILength {
                refuse(414, ProtocolError(.badRequest, "the request target is longer than \(settings.maximumURILength) bytes"), head: head, close: true, context: context)
            } else if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maximumBody {
                // A client that waits for 100-continue has sent nothing more: answer now. Any
                // other is sending its body, which is read and dropped, then answered (closing
                // first would reset the connection before the client reads the answer).
                if head.headers.first(name: "expect")?.lowercased() == "100-continue" || length > 2 * maximumBody {
                    refuse(413, tooLarge, head: head, close: true, context: context)
                } else {
                    discarding = true
                }
            } else if !authorized(head) {
                var headers = HTTPHeaders()
                headers.add(name: "www-authenticate", value: "Bearer")
                refuse(401, ProtocolError(.badRequest, "this route needs 'Authorization: Bearer <token>'"), head: head, close: false, extra: headers, context: context)
            }
        case .body(var chunk):
            guard !answered, let head else { return }
            received += chunk.readableBytes
            if received > maximumBody {
                body.removeAll()
                discarding = true
                if received > 2 * maximumBody { refuse(413, tooLarge, head: head, close: true, context: context) }
                return
            }
            body.append(contentsOf: chunk.readBytes(length: chunk.readableBytes) ?? [])
        case .end:
            guard let head else { return }
            self.head = nil
            if answered { return }
            if discarding {
                refuse(413, tooLarge, head: head, close: true, context: context)
                return
            }
            handle(head, context: context)
        }
    }

    private func authorized(_ head: HTTPRequestHead) -> Bool {
        guard let token = settings.token else { return true }
        if HTTPRoutes.split(head.uri).path == "/healthz" { return true }
        guard let value = head.headers.first(name: "authorization"), value.hasPrefix("Bearer ") else { return false }
        return Self.equal(Array(value.utf8.dropFirst(7)), Array(token.utf8))
    }

    /// Compares in a time that does not depend on where the first difference is.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let contentType = head.headers.first(name: "content-type").map { $0.split(separator: ";").first.map { $0.trimmingSpaces().lowercased() } ?? "" }
        let target = HTTPRoutes.target(
            method: head.method.rawValue, uri: head.uri, body: body, contentType: contentType, hasStatic: files != nil)
        body.removeAll(keepingCapacity: body.count < 64 * 1024)
        switch target {
        case .failure(let status, let error, let allow):
            var headers = HTTPHeaders()
            if let allow { headers.add(name: "allow", value: allow) }
            respond(status, HTTPRoutes.failureBody(error, logger: logger), head: head, extra: headers, context: context)
        case .metrics:
            guard let metrics = settings.metrics else {
                respond(404, HTTPRoutes.failureBody(ProtocolError(.notFound, "no metrics are collected"), logger: logger), head: head, context: context)
                return
            }
            respond(200, metrics(), head: head, contentType: "text/plain; version=0.0.4; charset=utf-8", context: context)
        case .staticFile(let relative):
            guard let file = files?.read(relative) else {
                respond(404, HTTPRoutes.failureBody(ProtocolError(.notFound, "no file \(relative.prefix(200))"), logger: logger), head: head, context: context)
                return
            }
            var headers = HTTPHeaders()
            headers.add(name: "cache-control", value: StaticFiles.cacheControl(of: file.contentType))
            headers.add(name: "x-content-type-options", value: "nosniff")
            respond(200, file.bytes, head: head, contentType: file.contentType, extra: headers, context: context)
        case .protocolLine(let line):
            var buffer = context.channel.allocator.buffer(capacity: line.count)
            buffer.writeBytes(line)
            switch dispatcher.route(buffer) {
            case .answer(let bytes):
                respondProtocol(bytes, head: head, context: context)
            case .work(let id, let op, let job):
                submit(job, id: id, op: op, head: head, context: context)
            }
        case .classify(let classify):
            // The body (up to limits.max_line_bytes) is parsed by the worker, as a long socket
            // line is decoded by one: the loop only hands it over. A body that is no request
            // is answered with its error object, whose code (bad_json, bad_request) gives 400.
            let logger = self.logger
            submit({ handler in
                switch classify.line() {
                case .success(let line): handler.respond(toLine: line)
                case .failure(let error): HTTPRoutes.failureBody(error, logger: logger)
                }
            }, id: nil, op: "classify", head: head, context: context)
        }
    }

    /// Hands `job` to the search pool, and its answer back to this connection; a full queue is
    /// answered `overloaded` (503) at once.
    private func submit(
        _ job: @escaping @Sendable (RequestHandler) -> [UInt8], id: RequestID?, op: String?, head: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        let admission = dispatcher.submit(job, context: context) { [self] bytes, context in
            inFlight = false
            guard let bytes, context.channel.isActive else { return }
            respondProtocol(bytes, head: head, context: context)
        }
        switch admission {
        case .accepted:
            inFlight = true
        case .refused(let queued):
            respondProtocol(dispatcher.overloaded(queued: queued, id: id, op: op), head: head, context: context)
        }
    }

    /// A protocol response: its status from its error code.
    private func respondProtocol(_ bytes: [UInt8], head: HTTPRequestHead, context: ChannelHandlerContext) {
        let code = HTTPRoutes.errorCode(ofResponse: bytes)
        var headers = HTTPHeaders()
        if code == .overloaded { headers.add(name: "retry-after", value: "1") }
        respond(code.map(HTTPRoutes.status(for:)) ?? 200, bytes, head: head, extra: headers, context: context)
    }

    /// Answers now, before the request's end (too large, unauthorized); with `close`, then closes.
    private func refuse(_ status: Int, _ error: ProtocolError, head: HTTPRequestHead, close: Bool, extra: HTTPHeaders = [:], context: ChannelHandlerContext) {
        answered = true
        respond(status, HTTPRoutes.failureBody(error, logger: logger), head: head, extra: extra, close: close, context: context)
    }

    private func respond(
        _ status: Int, _ bytes: [UInt8], head: HTTPRequestHead, contentType: String = "application/json", extra: HTTPHeaders = [:],
        close: Bool = false, context: ChannelHandlerContext
    ) {
        let keepAlive = head.isKeepAlive && !close
        var headers = extra
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: "\(bytes.count)")
        if !keepAlive { headers.add(name: "connection", value: "close") }
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD && !bytes.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        idle.progressed()
        dispatcher.state.metrics.httpResponse(status: status)
        let channel = context.channel
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { written.whenComplete { _ in channel.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("http connection error; closing it", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}

/// Answers a request NIOHTTP1 cannot parse with 400 and the protocol's error object, then the
/// connection closes (NIOHTTP1's own handler answers with no body).
final class HTTPParseErrors: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responding = false
    private let logger: Logger
    private let metrics: ServerMetrics

    init(logger: Logger, metrics: ServerMetrics) {
        self.logger = logger
        self.metrics = metrics
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parse = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if !responding {
            let body = HTTPRoutes.failureBody(ProtocolError(.badRequest, "the request is not valid HTTP/1.1 (\(parse))"), logger: logger)
            let headers = HTTPHeaders([("connection", "close"), ("content-type", "application/json"), ("content-length", "\(body.count)")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            metrics.httpResponse(status: 400)
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: responding = true
        case .end: responding = false
        default: break
        }
        context.write(data, promise: promise)
    }
}

/// Answers a connection over the connection limit, whatever it sends: 503, then closes.
final class HTTPRefusal: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let logger: Logger
    private let metrics: ServerMetrics

    init(logger: Logger, metrics: ServerMetrics) {
        self.logger = logger
        self.metrics = metrics
    }

    func channelActive(context: ChannelHandlerContext) {
        let body = HTTPRoutes.failureBody(ProtocolError(.overloaded, "the daemon is at its connection limit; retry later"), logger: logger)
        let text = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: \(body.count)\r\nretry-after: 1\r\nconnection: close\r\n\r\n"
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count + body.count)
        buffer.writeString(text)
        buffer.writeBytes(body)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
        metrics.httpResponse(status: 503)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
