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
    private let logger: Logger
    private var pendingFlush = false

    init(requests: RequestHandler, logger: Logger) {
        self.requests = requests
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .line(let line):
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
