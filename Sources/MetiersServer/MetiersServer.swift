import Logging
import MetiersSearch
import MetiersText
import NIOCore
import NIOExtras
import NIOPosix
import NIOConcurrencyHelpers
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
@_silgen_name("malloc_trim") func mallocTrim(_ pad: Int) -> Int32
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the server could not start.
public enum ServerError: Error, CustomStringConvertible {
    /// A live daemon already answers on the socket: it is not stolen.
    case socketInUse(String)
    /// Something that is not a socket sits at the socket path.
    case notASocket(String)
    /// The socket could not be bound.
    case bind(String, any Error)
    /// The HTTP listener could not be bound.
    case bindHTTP(String, any Error)
    /// The index could not be opened.
    case index(SearchError)

    public var description: String {
        switch self {
        case .socketInUse(let path): "another daemon already answers on \(path); stop it or choose another --socket"
        case .notASocket(let path): "\(path) exists and is not a socket; remove it or choose another --socket"
        case .bind(let path, let error): "cannot listen on \(path): \(error)"
        case .bindHTTP(let address, let error): "cannot listen for HTTP on \(address): \(error)"
        case .index(let error): "\(error)"
        }
    }
}

/// Settings of the server, given by the executable: built from metiers' `Settings` (which
/// holds every default), so none is repeated here.
public struct ServerSettings: Sendable {
    public var socketPath: String
    public var databasePath: String
    /// Longest request line accepted, in bytes.
    public var maximumLineLength: Int
    /// Results per page when a request gives no `limit`.
    public var defaultLimit: Int
    /// Ranking features and the confidence threshold.
    public var ranking: RankingOptions
    /// Connections served at once; more are answered `overloaded` and closed.
    public var maximumConnections: Int
    /// A connection that completes no request for this long is closed.
    public var idleTimeout: Duration
    /// Time budget of one request.
    public var requestTimeout: Duration
    /// How often the index directory is checked for a new version (nil: never).
    public var reloadCheckInterval: Duration?
    /// A listening socket passed by systemd (socket activation), used instead of binding.
    public var listeningDescriptor: Int32?
    /// Search worker threads, each with its own index handle.
    public var searchWorkers: Int
    /// Requests that may wait for a search worker; more are answered `overloaded`.
    public var maximumQueuedRequests: Int
    /// What one query may ask for.
    public var queryLimits: QueryLimits
    /// Bad-request notices logged per second at most (not a setting: what keeps the log readable).
    public var badRequestNoticesPerSecond = 10
    /// The HTTP listener beside the socket (nil: none).
    public var http: HTTPSettings?

    public init(
        socketPath: String, databasePath: String, maximumLineLength: Int, defaultLimit: Int, ranking: RankingOptions,
        maximumConnections: Int, idleTimeout: Duration, requestTimeout: Duration, reloadCheckInterval: Duration?,
        listeningDescriptor: Int32?, searchWorkers: Int, maximumQueuedRequests: Int, queryLimits: QueryLimits
    ) {
        self.ranking = ranking
        self.socketPath = socketPath
        self.databasePath = databasePath
        self.maximumLineLength = maximumLineLength
        self.defaultLimit = defaultLimit
        self.maximumConnections = maximumConnections
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.reloadCheckInterval = reloadCheckInterval
        self.listeningDescriptor = listeningDescriptor
        self.searchWorkers = searchWorkers
        self.maximumQueuedRequests = maximumQueuedRequests
        self.queryLimits = queryLimits
    }
}

/// What a reload did.
enum ReloadOutcome {
    case reloaded(from: String, to: String)
    case unchanged(String)
    case failed(String)
}

/// Switches every search worker to the newest index: opens it once per worker, and only when all
/// opened stages them (a failure leaves every worker on the previous index, and says why). It
/// runs on a search worker (the `reload` operation, or work the daemon queues on SIGHUP and on a
/// new version on disk), never on an event loop.
final class Reloader: Sendable {
    let path: String
    let ranking: RankingOptions
    let slots: [IndexSlot]
    let state: ServerState
    let logger: Logger
    let notifier: SystemdNotifier
    private let lock = NIOLock()
    private let lastStub = NIOLockedValueBox<String?>(nil)

    init(path: String, ranking: RankingOptions, slots: [IndexSlot], state: ServerState, notifier: SystemdNotifier, logger: Logger) {
        self.path = path
        self.ranking = ranking
        self.slots = slots
        self.state = state
        self.notifier = notifier
        self.logger = logger
        lastStub.withLockedValue { $0 = Self.readStub(path) }
    }

    /// The stub file's content: it changes when `metiers-index` switches versions.
    static func readStub(_ path: String) -> String? {
        guard let f = fopen(path + "/XAPIANDB", "r") else { return nil }
        defer { fclose(f) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = fread(&buffer, 1, buffer.count - 1, f)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func reload(reason: String) -> ReloadOutcome {
        lock.withLock {
            notifier.reloading(logger: logger)
            defer { notifier.ready(logger: logger) }
            let previous = state.indexVersion
            var opened: [SearchIndex] = []
            do {
                // One suggester for every worker (it is immutable): made by the first handle.
                for _ in slots { opened.append(try SearchIndex(path: path, options: ranking, logger: logger, sharing: opened.first)) }
            } catch {
                let message = "reload failed (\(reason)): \(error)"
                logger.error("reload failed; still serving the previous index", metadata: ["reason": "\(reason)", "error": "\(error)", "index_version": "\(previous)"])
                state.reloadFailed(message)
                return .failed(message)
            }
            lastStub.withLockedValue { $0 = Self.readStub(path) }
            for (slot, index) in zip(slots, opened) { slot.stage(index) }
            let version = opened.first?.indexVersion ?? previous
            state.reloaded(version: version, builtAt: opened.first?.builtAt ?? "", cardCount: opened.first?.cardCount ?? 0)
            if version == previous {
                logger.info("reloaded; index unchanged", metadata: ["reason": "\(reason)", "index_version": "\(version)"])
                return .unchanged(version)
            }
            logger.notice("reloaded", metadata: ["reason": "\(reason)", "from": "\(previous)", "to": "\(version)"])
            return .reloaded(from: previous, to: version)
        }
    }

    /// Whether the stub file has changed since the last reload (a small file read).
    func stubChanged() -> Bool {
        let current = Self.readStub(path)
        return lastStub.withLockedValue { last in current != nil && current != last }
    }

    /// Reloads when the stub file has changed since the last reload.
    func reloadIfChanged() {
        if stubChanged() { _ = reload(reason: "new index version on disk") }
    }
}

/// metiersd's server: JSON Lines over a Unix domain socket with SwiftNIO, run as a service of a
/// `ServiceGroup`. On graceful shutdown (SIGTERM) it stops accepting, lets every connection
/// finish writing the answers to what it sent, removes the socket file and returns. SIGHUP, the
/// `reload` operation, or a new version written by `metiers-index` switch it to the new index
/// while queries go on.
public final class MetiersServer: Service, Sendable {
    let settings: ServerSettings
    let group: any EventLoopGroup
    let logger: Logger
    /// The search workers, each with its own request handler (and Xapian database handle).
    let pool: SearchPool
    /// What the event loops do with each line.
    let dispatcher: RequestDispatcher
    let state: ServerState
    let reloader: Reloader
    let notifier: SystemdNotifier
    let notices: NoticeLimiter

    /// The version of the index being served.
    public var indexVersion: String { state.indexVersion }

    /// Opens the index once per search worker and starts the workers.
    public init(settings: ServerSettings, group: any EventLoopGroup, notifier: SystemdNotifier = SystemdNotifier(), logger: Logger) async throws(ServerError) {
        self.settings = settings
        self.group = group
        self.logger = logger
        self.notifier = notifier
        let workers = max(1, settings.searchWorkers)
        var indexes: [SearchIndex] = []
        do {
            for _ in 0..<workers {
                indexes.append(try SearchIndex(path: settings.databasePath, options: settings.ranking, logger: logger, sharing: indexes.first))
            }
        } catch {
            throw .index(error)
        }
        let first = indexes[0]
        let state = ServerState(indexVersion: first.indexVersion, builtAt: first.builtAt, cardCount: first.cardCount)
        let slots = indexes.map { _ in IndexSlot() }
        let reloader = Reloader(path: settings.databasePath, ranking: settings.ranking, slots: slots, state: state, notifier: notifier, logger: logger)
        let notices = NoticeLimiter(perSecond: settings.badRequestNoticesPerSecond)
        let handlers = zip(indexes, slots).map { index, slot in
            RequestHandler(
                index: index, slot: slot, state: state, reloader: reloader, defaultLimit: settings.defaultLimit,
                timeBudget: settings.requestTimeout, queryLimits: settings.queryLimits, notices: notices, logger: logger)
        }
        let pool = SearchPool(capacity: max(1, settings.maximumQueuedRequests), logger: logger)
        pool.metrics = state.metrics
        for handler in handlers {
            handler.shareWork = { [weak pool] job in pool?.submitShare(job) }
            handler.otherWorkers = handlers.count - 1
        }
        pool.start(handlers: handlers)
        self.pool = pool
        self.dispatcher = RequestDispatcher(pool: pool, state: state, notices: notices, logger: logger)
        self.state = state
        self.reloader = reloader
        self.notices = notices
    }

    /// Switches to the newest index (as SIGHUP does); false when the reload failed.
    @discardableResult
    public func reload(reason: String) -> Bool {
        if case .failed = reloader.reload(reason: reason) { return false }
        return true
    }

    public func run() async throws {
        let quiesce = ServerQuiescingHelper(group: group)
        let dispatcher = self.dispatcher
        let logger = self.logger
        let settings = self.settings
        let state = self.state
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 64 * 1024, high: 256 * 1024))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let admitted = state.connectionOpened(limit: settings.maximumConnections)
                    if admitted {
                        channel.closeFuture.whenComplete { _ in state.connectionClosed() }
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maximumLength: settings.maximumLineLength)))
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(dispatcher: dispatcher, admitted: admitted, idleTimeout: settings.idleTimeout, logger: logger))
                }
            }
        let channel: any Channel
        let adopted = settings.listeningDescriptor != nil
        do {
            if let fd = settings.listeningDescriptor {
                channel = try await bootstrap.withBoundSocket(fd).get()
            } else {
                try removeStaleSocket()
                channel = try await bootstrap.bind(unixDomainSocketPath: settings.socketPath).get()
            }
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError.bind(settings.socketPath, error)
        }
        var httpChannel: (any Channel)?
        if let http = settings.http {
            do {
                httpChannel = try await HTTPListener.bind(http, settings: settings, group: group, quiesce: quiesce, dispatcher: dispatcher, logger: logger)
            } catch {
                // The HTTP bind failure is the one reported; the socket closing is best effort.
                try? await channel.close()
                if !adopted { unlink(settings.socketPath) }
                throw ServerError.bindHTTP("\(http.host):\(http.port)", error)
            }
        }
        _ = httpChannel
        logger.info("listening", metadata: [
            "socket": "\(settings.socketPath)", "database": "\(settings.databasePath)", "index_version": "\(indexVersion)",
            "socket_activated": "\(adopted)",
        ])
        notifier.ready(status: "serving index \(indexVersion)", logger: logger)

        let stopBackgroundWork = startBackgroundWork()
        await serve(until: channel, quiesce: quiesce)
        stopBackgroundWork()
        pool.shutdown()
        // A socket systemd passed belongs to systemd: it stays.
        if !adopted { unlink(settings.socketPath) }
        logger.info("stopped", metadata: ["socket": "\(settings.socketPath)"])
    }

    /// Serves until the listening channel closes, or a graceful shutdown (SIGTERM) closes it;
    /// either way, returns once every connection has finished writing its answers.
    private func serve(until channel: any Channel, quiesce: ServerQuiescingHelper) async {
        let logger = self.logger
        let drained = group.next().makePromise(of: Void.self)
        let shuttingDown = NIOLockedValueBox(false)
        let notifier = self.notifier
        await withGracefulShutdownHandler {
            // How the listening channel closed does not matter here: either way connections are
            // drained below.
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            logger.info("shutting down: no new connections, finishing requests in flight")
            notifier.stopping(logger: logger)
            shuttingDown.withLockedValue { $0 = true }
            quiesce.initiateShutdown(promise: drained)
        }
        if !shuttingDown.withLockedValue({ $0 }) {
            // The listening channel closed for another reason: still let connections finish.
            quiesce.initiateShutdown(promise: drained)
        }
        // The quiesce promise is only ever succeeded; nothing is lost by not reading a failure.
        try? await drained.futureResult.get()
    }

    /// Work beside the connections: the index watcher (the loop only reads the stub file; a
    /// search worker opens the new index), SIGHUP reloads (on a search worker), and the count of
    /// dropped bad-request notices once a second. Returns how to stop it.
    private func startBackgroundWork() -> @Sendable () -> Void {
        let pool = self.pool
        let reloader = self.reloader
        let logger = self.logger
        var watcher: RepeatedTask?
        if let interval = settings.reloadCheckInterval {
            watcher = group.next().scheduleRepeatedTask(initialDelay: .nanoseconds(interval.wholeNanoseconds), delay: .nanoseconds(interval.wholeNanoseconds)) { _ in
                if reloader.stubChanged() { pool.submitControl { _ in reloader.reloadIfChanged() } }
            }
        }
        let notices = self.notices
        let noticeFlush = group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            notices.flush(logger)
        }
        let hangups = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                pool.submitControl { _ in _ = reloader.reload(reason: "SIGHUP") }
            }
        }
        let stoppable = watcher
        return {
            stoppable?.cancel()
            noticeFlush.cancel()
            hangups.cancel()
        }
    }

    /// Replaces a socket file left by a crashed daemon, but never one a live daemon answers on.
    func removeStaleSocket() throws(ServerError) {
        let path = settings.socketPath
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw .notASocket(path) }
        if UnixSocketProbe.answers(path: path) { throw .socketInUse(path) }
        logger.notice("removing a stale socket file", metadata: ["socket": "\(path)"])
        unlink(path)
    }
}

/// Checks whether a daemon answers on a Unix socket path.
enum UnixSocketProbe {
    static func answers(path: String) -> Bool {
        #if canImport(Glibc)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }
}
