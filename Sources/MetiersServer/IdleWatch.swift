import Logging
import NIOCore

/// Closes a connection that completes no request within the idle timeout, on the socket and on
/// HTTP alike: this also drops clients that trickle bytes without ever finishing a request. A
/// connection its handler says is busy (a request with the search pool, lines waiting) is not
/// idle. Used on the connection's event loop only.
final class IdleWatch {
    private let timeout: Duration
    /// When the connection last made progress: opened, read a request, or wrote an answer.
    private var lastProgress = NIODeadline.now()
    private var task: RepeatedTask?

    init(timeout: Duration) { self.timeout = timeout }

    var isWatching: Bool { task != nil }

    /// The connection made progress: the idle time starts again.
    func progressed() { lastProgress = .now() }

    /// Checks four times per timeout (at least every 10 ms) and, once idle and not `busy`, counts
    /// the close in `state` and closes the channel.
    func start(context: ChannelHandlerContext, state: ServerState, logger: Logger, busy: @escaping () -> Bool) {
        guard task == nil else { return }
        let limit = TimeAmount.nanoseconds(timeout.wholeNanoseconds)
        let check = TimeAmount.nanoseconds(max(limit.nanoseconds / 4, 10_000_000))
        let loopBound = NIOLoopBound((self, context, busy), eventLoop: context.eventLoop)
        task = context.eventLoop.scheduleRepeatedTask(initialDelay: check, delay: check) { task in
            let (watch, context, busy) = loopBound.value
            guard !busy(), NIODeadline.now() - watch.lastProgress > limit else { return }
            task.cancel()
            state.idleClosed()
            logger.debug("closing an idle connection")
            context.close(promise: nil)
        }
    }

    func stop() {
        task?.cancel()
        task = nil
    }
}
