import MetiersConfig
import MetiersSearch
import MetiersServer
import MetiersText
import NIOCore

extension ServerSettings {
    /// The server's view of the settings: durations, "0: one per core" resolved, and the socket
    /// systemd passed (`listening`) in place of the configured one.
    init(_ settings: Settings, ranking: RankingOptions, listening: Int32?) {
        let limits = settings.limits
        self.init(
            socketPath: listening.flatMap(SocketActivation.localPath(of:)) ?? settings.daemon.socket,
            databasePath: settings.index.database,
            maximumLineLength: limits.maxLineBytes,
            defaultLimit: settings.search.defaultLimit,
            ranking: ranking,
            maximumConnections: limits.maxConnections,
            idleTimeout: .milliseconds(Int64(limits.idleTimeoutSeconds * 1000)),
            requestTimeout: .milliseconds(Int64(limits.requestTimeoutMs)),
            reloadCheckInterval: settings.index.reloadCheckSeconds > 0 ? .milliseconds(Int64(settings.index.reloadCheckSeconds * 1000)) : nil,
            listeningDescriptor: listening,
            searchWorkers: settings.daemon.searchWorkers > 0 ? settings.daemon.searchWorkers : System.coreCount,
            maximumQueuedRequests: limits.maxQueuedRequests,
            queryLimits: QueryLimits(
                maxPhrases: limits.maxPhrases, maxPhraseWords: limits.maxPhraseWords,
                maxExclusions: limits.maxExclusions, maxTerms: limits.maxTerms))
    }

    /// The HTTP listener of `[http]` (nil when `listen` is empty); `token` read from `token_file`.
    static func http(_ settings: Settings, token: String?, metrics: (@Sendable () -> [UInt8])?) -> HTTPSettings? {
        guard let address = HTTPAddress(settings.http.listen) else { return nil }
        return HTTPSettings(
            host: address.host, port: address.port,
            staticDirectory: settings.http.staticDirectory.isEmpty ? nil : settings.http.staticDirectory,
            token: token, metrics: metrics)
    }
}
