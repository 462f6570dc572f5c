import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix

/// The HTTP listener beside the socket: the same dispatcher, search pool, connection count and
/// limits; TCP, NIOHTTP1, keep-alive and pipelining.
enum HTTPListener {
    /// Binds `settings.http` and returns its channel. Connections take their place under the
    /// socket's `max_connections`; quiescing closes them as it closes the socket's.
    static func bind(
        _ http: HTTPSettings, settings: ServerSettings, group: any EventLoopGroup, quiesce: ServerQuiescingHelper,
        dispatcher: RequestDispatcher, logger: Logger
    ) async throws -> any Channel {
        let state = dispatcher.state
        var limited = http
        limited.maximumURILength = min(http.maximumURILength, settings.maximumLineLength)
        let http = limited
        let files: StaticFiles?
        if let directory = http.staticDirectory {
            files = StaticFiles(directory: directory)
            if files == nil { logger.warning("the static directory cannot be read; no web page is served", metadata: ["static": "\(directory)"]) }
        } else {
            files = nil
        }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 64 * 1024, high: 256 * 1024))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let admitted = state.connectionOpened(limit: settings.maximumConnections)
                    guard admitted else {
                        try channel.pipeline.syncOperations.addHandler(HTTPRefusal(logger: logger, metrics: dispatcher.state.metrics))
                        return
                    }
                    channel.closeFuture.whenComplete { _ in state.connectionClosed() }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
                    try channel.pipeline.syncOperations.addHandler(HTTPParseErrors(logger: logger, metrics: dispatcher.state.metrics))
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPHandler(
                            dispatcher: dispatcher, settings: http, files: files, maximumBody: settings.maximumLineLength,
                            idleTimeout: settings.idleTimeout, logger: logger))
                }
            }
        let channel = try await bootstrap.bind(host: http.host, port: http.port).get()
        let loopback = http.host == "localhost" || http.host == "::1" || http.host.hasPrefix("127.")
        if !loopback && http.token == nil {
            logger.warning("the HTTP listener is bound beyond loopback without a token (http.token_file): anyone who reaches it may query the daemon", metadata: ["http": "\(http.host):\(http.port)"])
        }
        logger.info("listening on HTTP", metadata: [
            "http": "\(channel.localAddress?.description ?? "\(http.host):\(http.port)")",
            "port": "\(channel.localAddress?.port ?? http.port)",
            "static": "\(files?.root ?? "-")", "token": "\(http.token != nil)",
        ])
        return channel
    }
}
