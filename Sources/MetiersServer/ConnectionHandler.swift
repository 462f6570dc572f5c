import Logging
import MetiersProtocol
import NIOCore
import NIOExtras

/// One connection: each line is a request, answered in order with one line. Responses are
/// flushed once per read burst, so pipelined requests cost one write.
///
/// Errors stay inside the connection: a bad request gets an error response, an oversized line
/// gets `line_too_long` and the connection is closed; other clients never notice.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = LineFrameDecoder.LineFrame
    typealias OutboundOut = ByteBuffer

    private let requests: RequestHandler
    private let state: ServerState
    private let logger: Logger
    private let admitted: Bool
    private let idleTimeout: Duration
    private var pendingFlush = false
    /// When the connection last completed a request (or opened).
    private var lastProgress = NIODeadline.now()
    private var idleCheck: RepeatedTask?

    init(requests: RequestHandler, state: ServerState, admitted: Bool, idleTimeout: Duration, logger: Logger) {
        self.requests = requests
        self.state = state
        self.admitted = admitted
        self.idleTimeout = idleTimeout
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
        guard idleCheck == nil else { return }
        guard admitted else {
            let failure = Response.failure(id: nil, op: nil, ProtocolError(.overloaded, "the daemon is at its connection limit; retry later"))
            var buffer = context.channel.allocator.buffer(capacity: 120)
            buffer.writeBytes(requests.encode(failure))
            buffer.writeInteger(UInt8(ascii: "\n"))
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
            idleCheck = nil
            return
        }
        // A connection that completes no request within the idle timeout is closed: this also
        // drops clients that trickle bytes without ever finishing a line.
        let timeout = TimeAmount.nanoseconds(idleTimeout.wholeNanoseconds)
        let check = TimeAmount.nanoseconds(max(idleTimeout.wholeNanoseconds / 4, 10_000_000))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: check, delay: check) { task in
            let (handler, context) = loopBound.value
            if NIODeadline.now() - handler.lastProgress > timeout {
                task.cancel()
                handler.state.idleClosed()
                handler.logger.debug("closing an idle connection")
                context.close(promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        context.fireChannelInactive()
    }

    /// Backpressure: a client that does not read its answers stops being read, so its answers
    /// never pile up in the daemon's memory.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.channel.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Requests still buffered when the client went away are not worth answering.
        guard admitted, context.channel.isActive else { return }
        switch unwrapInboundIn(data) {
        case .line(let line):
            lastProgress = .now()
            // Blank lines (keep-alives, stray "\r\n") are ignored.
            if line.readableBytesView.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            let response = requests.respond(toLine: line.readableBytesView)
            var buffer = context.channel.allocator.buffer(capacity: response.count + 1)
            buffer.writeBytes(response)
            buffer.writeInteger(UInt8(ascii: "\n"))
            context.write(wrapOutboundOut(buffer), promise: nil)
            pendingFlush = true
        case .tooLong(let limit):
            logger.notice("request line too long; closing the connection", metadata: ["limit": "\(limit)"])
            let failure = Response.failure(
                id: nil, op: nil,
                ProtocolError(.lineTooLong, "a request line may be at most \(limit) bytes; the connection is closed"))
            var buffer = context.channel.allocator.buffer(capacity: 160)
            buffer.writeBytes(requests.encode(failure))
            buffer.writeInteger(UInt8(ascii: "\n"))
            pendingFlush = false
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // Every request read so far has been answered (answers are computed on read);
            // close once those answers are written.
            closeAfterPendingWrites(context: context)
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            // The client half-closed: answer what was sent, then close.
            closeAfterPendingWrites(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Closes once every answer already written has reached the socket (writes complete in
    /// order, so an empty write's completion means all before it are done).
    private func closeAfterPendingWrites(context: ChannelHandlerContext) {
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
