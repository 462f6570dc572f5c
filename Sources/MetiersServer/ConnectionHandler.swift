import Logging
import MetiersProtocol
import NIOCore
import NIOExtras

/// One connection: each line is a request, answered in order with one line. `health`,
/// `stats` and lines that are not requests are answered on the event loop; every other request
/// goes to the search pool, one at a time per connection, so answers keep the requests' order.
/// Responses are flushed once per read burst or worker answer, so pipelined requests cost few
/// writes.
///
/// Errors stay inside the connection: a bad request gets an error response, an oversized line
/// gets `line_too_long` and the connection is closed; other clients never notice.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = LineFrameDecoder.LineFrame
    typealias OutboundOut = ByteBuffer

    private let dispatcher: RequestDispatcher
    private let logger: Logger
    private let admitted: Bool
    private let idle: IdleWatch
    private var pendingFlush = false
    /// Lines read and not yet handed over, in order.
    private var backlog = CircularBuffer<ByteBuffer>()
    /// A request of this connection is with the search pool.
    private var inFlight = false
    /// Close once every line read has been answered (quiescing, or the client half-closed).
    private var closeWhenDrained = false
    /// Whether the channel reads (off while the client does not read its answers, or while too
    /// many of its lines wait).
    private var reading = true
    /// Lines waiting beyond which the connection stops being read until they are answered.
    static let backlogLimit = 256
    /// How long a stopping daemon waits on an idle connection for a request its client may
    /// have sent already, before closing it.
    static let quiesceGrace = TimeAmount.milliseconds(150)

    init(dispatcher: RequestDispatcher, admitted: Bool, idleTimeout: Duration, logger: Logger) {
        self.dispatcher = dispatcher
        self.admitted = admitted
        self.idle = IdleWatch(timeout: idleTimeout)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard !idle.isWatching else { return }
        guard admitted else {
            let failure = Response.failure(id: nil, op: nil, ProtocolError(.overloaded, "the daemon is at its connection limit; retry later"))
            writeLast(RequestHandler.encode(failure, logger: logger), context: context)
            return
        }
        idle.start(context: context, state: dispatcher.state, logger: logger) { self.inFlight || !self.backlog.isEmpty }
    }

    func channelInactive(context: ChannelHandlerContext) {
        idle.stop()
        // Requests still waiting when the client went away are not worth answering.
        backlog.removeAll()
        context.fireChannelInactive()
    }

    /// Backpressure: a client that does not read its answers stops being read, so its answers
    /// never pile up in the daemon's memory.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        updateReading(context: context)
        context.fireChannelWritabilityChanged()
    }

    private func updateReading(context: ChannelHandlerContext) {
        let wanted = context.channel.isWritable && backlog.count < Self.backlogLimit
        guard wanted != reading else { return }
        reading = wanted
        context.channel.setOption(ChannelOptions.autoRead, value: wanted).whenFailure { _ in }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admitted, context.channel.isActive else { return }
        switch unwrapInboundIn(data) {
        case .line(let line):
            idle.progressed()
            // Blank lines (keep-alives, stray "\r\n") are ignored.
            if line.readableBytesView.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            backlog.append(line)
            pump(context: context)
            updateReading(context: context)
        case .tooLong(let limit):
            logger.notice("request line too long; closing the connection", metadata: ["limit": "\(limit)"])
            let failure = Response.failure(
                id: nil, op: nil,
                ProtocolError(.lineTooLong, "a request line may be at most \(limit) bytes; the connection is closed"))
            backlog.removeAll()
            closeWhenDrained = false
            writeLast(RequestHandler.encode(failure, logger: logger), context: context)
        }
    }

    /// Answers waiting lines in order: on the loop when it can, else hands the next one to the
    /// search pool and waits for its answer.
    private func pump(context: ChannelHandlerContext) {
        while !inFlight, let line = backlog.popFirst() {
            switch dispatcher.route(line) {
            case .answer(let bytes):
                write(bytes, context: context)
            case .work(let id, let op, let job):
                let admission = dispatcher.submit(job, context: context) { [self] bytes, context in finished(bytes, context: context) }
                switch admission {
                case .accepted:
                    inFlight = true
                case .refused(let queued):
                    write(dispatcher.overloaded(queued: queued, id: id, op: op), context: context)
                }
            }
        }
        if !inFlight && backlog.isEmpty && closeWhenDrained { closeAfterPendingWrites(context: context) }
    }

    /// A worker's answer, back on the loop.
    private func finished(_ bytes: [UInt8]?, context: ChannelHandlerContext) {
        inFlight = false
        guard context.channel.isActive else { return }
        if let bytes { write(bytes, context: context) }
        idle.progressed()
        pump(context: context)
        updateReading(context: context)
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
    }

    private func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count + 1)
        buffer.writeBytes(bytes)
        buffer.writeInteger(UInt8(ascii: "\n"))
        context.write(wrapOutboundOut(buffer), promise: nil)
        pendingFlush = true
    }

    /// Writes one last answer, then closes.
    private func writeLast(_ bytes: [UInt8], context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count + 1)
        buffer.writeBytes(bytes)
        buffer.writeInteger(UInt8(ascii: "\n"))
        pendingFlush = false
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client half-closed: answer every line read so far, then close.
        if (event as? ChannelEvent) == .inputClosed {
            closeWhenDrained = true
            if !inFlight && backlog.isEmpty { closeAfterPendingWrites(context: context) }
            return
        }
        // Quiescing (the daemon stops): the same, but an idle connection is given a moment to
        // read what its client may have sent already: closing it with a request unread would
        // reset the connection and lose that request.
        if event is ChannelShouldQuiesceEvent {
            closeWhenDrained = true
            guard !inFlight && backlog.isEmpty else { return }
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: Self.quiesceGrace) {
                let (handler, context) = loopBound.value
                if handler.closeWhenDrained && !handler.inFlight && handler.backlog.isEmpty { handler.closeAfterPendingWrites(context: context) }
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Closes once every answer already written has reached the socket (writes complete in
    /// order, so an empty write's completion means all before it are done).
    private func closeAfterPendingWrites(context: ChannelHandlerContext) {
        closeWhenDrained = false
        pendingFlush = false
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error; closing it", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

/// What the event loop does with a request line: answer it at once (`health`, `stats`, a line
/// that is not a request), or hand it to the search pool.
final class RequestDispatcher: Sendable {
    enum Route {
        case answer([UInt8])
        /// Work for a search worker, which gives the response line; the request's id and op
        /// when the loop read them (for an `overloaded` answer).
        case work(id: RequestID?, op: String?, @Sendable (RequestHandler) -> [UInt8])
    }

    let pool: SearchPool
    let state: ServerState
    let notices: NoticeLimiter
    let logger: Logger
    /// Lines up to this long are decoded on the loop (cheap: the JSON depth is bounded);
    /// longer ones are decoded by a worker.
    static let loopDecodeLimit = 4096

    init(pool: SearchPool, state: ServerState, notices: NoticeLimiter, logger: Logger) {
        self.pool = pool
        self.state = state
        self.notices = notices
        self.logger = logger
    }

    func route(_ line: ByteBuffer) -> Route {
        let started = ContinuousClock.now
        guard line.readableBytes <= Self.loopDecodeLimit else {
            return .work(id: nil, op: nil) { handler in handler.respond(toLine: Array(line.readableBytesView)) }
        }
        // One copy into an array: decoding walks the bytes several times.
        switch Request.decode(Array(line.readableBytesView)) {
        case .failure(let failure):
            return .answer(RequestHandler.refuse(failure, state: state, notices: notices, started: started, logger: logger))
        case .success(let request):
            if let response = RequestHandler.adminResponse(to: request, state: state) {
                let bytes = RequestHandler.encode(response, logger: logger)
                state.record(op: request.operation.name, errorCode: nil, since: started)
                return .answer(bytes)
            }
            return .work(id: request.id, op: request.operation.name) { handler in handler.respondEncoded(to: request, started: started) }
        }
    }

    /// Hands `job` to the search pool; `answered` runs on the connection's event loop with the
    /// response (nil when the client went away while the request waited: no work is done for it).
    func submit(
        _ job: @escaping @Sendable (RequestHandler) -> [UInt8], context: ChannelHandlerContext,
        answered: @escaping ([UInt8]?, ChannelHandlerContext) -> Void
    ) -> SearchPool.Admission {
        let loopBound = NIOLoopBound((answered, context), eventLoop: context.eventLoop)
        let channel = context.channel
        return pool.submit { handler in
            let bytes = channel.isActive ? job(handler) : nil
            loopBound.eventLoop.execute {
                let (answered, context) = loopBound.value
                answered(bytes, context)
            }
        }
    }

    /// The answer to a request refused because the queue is full.
    func overloaded(queued: Int, id: RequestID?, op: String?) -> [UInt8] {
        let error = ProtocolError(
            .overloaded, "\(queued) requests are queued for the search workers (the limit, max_queued_requests); retry later")
        state.record(op: op ?? "invalid", errorCode: error.code.rawValue, microseconds: 0)
        return RequestHandler.encode(Response.failure(id: id, op: op, error), logger: logger)
    }
}
