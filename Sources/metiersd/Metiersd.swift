import ArgumentParser
import Logging
import MetiersConfig
import MetiersSearch
import MetiersServer
import MetiersText
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@main
struct Metiersd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metiersd",
        abstract: "Serve the metiers index over a Unix socket (JSON Lines, protocol v1).",
        discussion: """
            Settings come from the configuration file (--config, $METIERS_CONFIG,
            Config/metiers.toml or /etc/metiers/metiers.toml); flags override them.
            SIGTERM or SIGINT: stop accepting, answer what is in flight, remove the socket, exit 0.
            """)

    @Option(help: "Configuration file.")
    var config: String?

    @Option(help: "Index directory built by metiers-index.")
    var db: String?

    @Option(help: "Unix socket to listen on.")
    var socket: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Option(help: "Event-loop threads (0: one per core).")
    var threads: Int?

    @Option(help: "Drop results under this confidence (0-1).")
    var minConfidence: Double?

    @Option(help: "Longest request line, in bytes (longer: line_too_long, connection closed).")
    var maxLineBytes: Int?

    @Option(help: "Connections served at once (more: overloaded, closed).")
    var maxConnections: Int?

    @Option(help: "Seconds a connection may go without completing a request.")
    var idleTimeout: Double?

    @Option(help: "Time budget of one request, in milliseconds.")
    var requestTimeoutMs: Int?

    @Option(help: "Seconds between checks for a new index version on disk (0: never).")
    var reloadCheck: Double?

    @Option(help: "Search worker threads, each with its own index handle (0: one per core).")
    var searchWorkers: Int?

    @Option(help: "Requests that may wait for a search worker (more: overloaded at once).")
    var maxQueue: Int?

    @Option(help: "Quoted phrases per query (more: too_many_phrases).")
    var maxPhrases: Int?

    @Option(help: "Words per quoted phrase (more: phrase_too_long).")
    var maxPhraseWords: Int?

    @Option(help: "Exclusions (-word) per query (more: too_many_exclusions).")
    var maxExclusions: Int?

    @Option(help: "Distinct content words per query (more: too_many_terms).")
    var maxTerms: Int?

    @Option(name: .customLong("disable-feature"), help: "Switch a ranking feature off, to measure it: \(RankingOptions.featureNames.joined(separator: ", ")).")
    var disabledFeatures: [String] = []

    @Option(help: "Serve this ranking model (JSON, as Scripts/fit writes it) instead of the one stored in the index.")
    var rankingModel: String?

    func run() async throws {
        var settings = MetiersConfiguration()
        if let path = MetiersConfiguration.locate(explicit: config, environment: ProcessEnvironment.all) {
            do {
                settings = try MetiersConfiguration.load(path: path)
            } catch {
                fail("configuration: \(error)")
            }
        }
        if let db { settings.databasePath = db }
        if let socket { settings.socketPath = socket }
        if let logLevel { settings.logLevel = logLevel }
        if let threads { settings.threads = threads }
        guard let level = Logger.Level(rawValue: settings.logLevel) else {
            fail("unknown log level '\(settings.logLevel)'")
        }
        // Client text in a log line is escaped: no request can forge or break a line.
        LoggingSystem.bootstrap { label in
            var handler = EscapingLogHandler(wrapping: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "metiersd")

        var ranking = RankingOptions()
        if let threshold = minConfidence ?? settings.minimumConfidence {
            guard (0...1).contains(threshold) else { fail("--min-confidence must be between 0 and 1") }
            ranking.minimumConfidence = threshold
        }
        for feature in disabledFeatures {
            guard let disabled = ranking.disabling(feature) else {
                fail("unknown feature '\(feature)'; one of: \(RankingOptions.featureNames.joined(separator: ", "))")
            }
            ranking = disabled
        }
        if let rankingModel {
            guard let data = FileManager.default.contents(atPath: rankingModel) else { fail("cannot read the ranking model \(rankingModel)") }
            do throws(SearchError) {
                ranking.model = try RankingModel.decode(Array(data))
            } catch {
                fail("\(rankingModel): \(error)")
            }
        }

        let maximumLineLength = maxLineBytes ?? settings.maximumLineBytes
        let connections = maxConnections ?? settings.maximumConnections
        let idle = idleTimeout ?? settings.idleTimeoutSeconds
        let budget = requestTimeoutMs ?? settings.requestTimeoutMilliseconds
        let check = reloadCheck ?? settings.reloadCheckSeconds
        guard maximumLineLength >= 1024 else { fail("--max-line-bytes must be at least 1024") }
        guard connections >= 1 else { fail("--max-connections must be at least 1") }
        guard idle > 0 else { fail("--idle-timeout must be positive") }
        guard budget > 0 else { fail("--request-timeout-ms must be positive") }
        guard check >= 0 else { fail("--reload-check must be 0 or positive") }
        let workers = searchWorkers ?? settings.searchWorkers
        let queue = maxQueue ?? settings.maximumQueuedRequests
        guard workers >= 0 else { fail("--search-workers must be 0 or positive") }
        guard queue >= 1 else { fail("--max-queue must be at least 1") }
        let queryLimits = QueryLimits(
            maxPhrases: maxPhrases ?? settings.maximumPhrases, maxPhraseWords: maxPhraseWords ?? settings.maximumPhraseWords,
            maxExclusions: maxExclusions ?? settings.maximumExclusions, maxTerms: maxTerms ?? settings.maximumTerms)
        guard queryLimits.maxPhrases >= 0, queryLimits.maxExclusions >= 0, queryLimits.maxPhraseWords >= 1, queryLimits.maxTerms >= 1 else {
            fail("--max-phrases and --max-exclusions must be 0 or positive, --max-phrase-words and --max-terms at least 1")
        }

        // Socket activation: systemd passes the listening socket.
        let listening: Int32?
        do {
            listening = try SocketActivation.listeningSocket()
        } catch {
            fail("socket activation: \(error)")
        }

        let threadCount = settings.threads > 0 ? settings.threads : System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threadCount)
        var serverSettings = ServerSettings(
            socketPath: listening.flatMap(SocketActivation.localPath(of:)) ?? settings.socketPath,
            databasePath: settings.databasePath, maximumLineLength: maximumLineLength,
            defaultLimit: settings.defaultLimit, ranking: ranking, maximumConnections: connections,
            idleTimeout: .milliseconds(Int64(idle * 1000)), requestTimeout: .milliseconds(Int64(budget)),
            reloadCheckInterval: check > 0 ? .milliseconds(Int64(check * 1000)) : nil,
            listeningDescriptor: listening)
        serverSettings.searchWorkers = workers > 0 ? workers : System.coreCount
        serverSettings.maximumQueuedRequests = queue
        serverSettings.queryLimits = queryLimits
        let server: MetiersServer
        do {
            server = try await MetiersServer(settings: serverSettings, group: group, logger: logger)
        } catch {
            try? await group.shutdownGracefully()
            fail("\(error)")
        }
        let services = ServiceGroup(
            configuration: .init(
                services: [.init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await services.run()
        } catch {
            try? await group.shutdownGracefully()
            fail("\(error)")
        }
        try await group.shutdownGracefully()
    }

    /// One line on stderr, exit 1: the way a daemon that cannot start should say so.
    private func fail(_ message: String) -> Never {
        StandardError.line("metiersd: error: \(message)")
        Glibc.exit(1)
    }
}
