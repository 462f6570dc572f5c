import Logging
import MetiersSearch
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
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
    /// The index could not be opened.
    case index(SearchError)

    public var description: String {
        switch self {
        case .socketInUse(let path): "another daemon already answers on \(path); stop it or choose another --socket"
        case .notASocket(let path): "\(path) exists and is not a socket; remove it or choose another --socket"
        case .bind(let path, let error): "cannot listen on \(path): \(error)"
        case .index(let error): "\(error)"
        }
    }
}

/// Settings of the server, given by the executable.
public struct ServerSettings: Sendable {
    public var socketPath: String
    public var databasePath: String
    /// Longest request line accepted, in bytes.
    public var maximumLineLength: Int
    /// Results per page when a request gives no `limit`.
    public var defaultLimit: Int
    /// Ranking features and the confidence threshold.
    public var ranking: RankingOptions

    public init(
        socketPath: String, databasePath: String, maximumLineLength: Int = 1 << 20, defaultLimit: Int = 10,
        ranking: RankingOptions = RankingOptions()
    ) {
        self.ranking = ranking
        self.socketPath = socketPath
        self.databasePath = databasePath
        self.maximumLineLength = maximumLineLength
        self.defaultLimit = defaultLimit
    }
}

/// metiersd's server: JSON Lines over a Unix domain socket with SwiftNIO, run as a service of a
/// `ServiceGroup`. On graceful shutdown (SIGTERM) it stops accepting, lets every connection
/// finish writing the answers to what it sent, removes the socket file and returns.
public final class MetiersServer: Service, Sendable {
    let settings: ServerSettings
    let group: any EventLoopGroup
    let logger: Logger
    /// One request handler (and so one Xapian database handle) per event loop.
    let handlers: [ObjectIdentifier: NIOLoopBound<RequestHandler>]
    /// The version of the index being served.
    public let indexVersion: String

    /// Opens the index once per event loop of `group`.
    public init(settings: ServerSettings, group: any EventLoopGroup, logger: Logger) async throws(ServerError) {
        self.settings = settings
        self.group = group
        self.logger = logger
        let startedAt = ContinuousClock.now
        var handlers: [ObjectIdentifier: NIOLoopBound<RequestHandler>] = [:]
        var version = ""
        for loop in group.makeIterator() {
            let path = settings.databasePath
            let defaultLimit = settings.defaultLimit
            let ranking = settings.ranking
            do {
                let (bound, indexVersion) = try await loop.submit {
                    let index = try SearchIndex(path: path, options: ranking, logger: logger)
                    return (NIOLoopBound(RequestHandler(index: index, defaultLimit: defaultLimit, startedAt: startedAt, logger: logger), eventLoop: loop), index.indexVersion)
                }.get()
                handlers[ObjectIdentifier(loop)] = bound
                version = indexVersion
            } catch let error as SearchError {
                throw .index(error)
            } catch {
                throw .index(.indexUnavailable("\(error)"))
            }
        }
        self.handlers = handlers
        self.indexVersion = version
    }

    public func run() async throws {
        try removeStaleSocket()
        let quiesce = ServerQuiescingHelper(group: group)
        let handlers = self.handlers
        let logger = self.logger
        let maximumLineLength = settings.maximumLineLength
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                    }
                }
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let bound = handlers[ObjectIdentifier(channel.eventLoop)] else {
                            throw ChannelError.ioOnClosedChannel
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maximumLength: maximumLineLength)))
                        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(requests: bound.value, logger: logger))
                    }
                }
                .bind(unixDomainSocketPath: settings.socketPath)
                .get()
        } catch {
            throw ServerError.bind(settings.socketPath, error)
        }
        logger.info("listening", metadata: ["socket": "\(settings.socketPath)", "database": "\(settings.databasePath)", "index_version": "\(indexVersion)"])

        let drained = group.next().makePromise(of: Void.self)
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            logger.info("shutting down: no new connections, finishing requests in flight")
            quiesce.initiateShutdown(promise: drained)
        }
        // If the channel closed for another reason, nothing else will complete the promise.
        quiesce.initiateShutdown(promise: nil)
        drained.succeed(())
        try? await drained.futureResult.get()
        unlink(settings.socketPath)
        logger.info("stopped", metadata: ["socket": "\(settings.socketPath)"])
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
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
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
