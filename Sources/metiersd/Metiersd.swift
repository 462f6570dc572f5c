import ArgumentParser
import Logging
import MetiersConfig
import MetiersSearch
import MetiersServer
import Metrics
import NIOCore
import NIOPosix
import Prometheus
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

    @OptionGroup var options: DaemonOptions

    @Option(name: .customLong("disable-feature"), help: "Switch a ranking feature off, to measure it: \(RankingOptions.featureNames.joined(separator: ", ")).")
    var disabledFeatures: [String] = []

    @Option(help: "Serve this ranking model (JSON, as Scripts/fit writes it) instead of the one stored in the index.")
    var rankingModel: String?

    /// The ranking the flags ask for, set by `validate()`.
    var ranking = RankingOptions()

    enum CodingKeys: CodingKey { case options, disabledFeatures, rankingModel }

    /// The settings were checked by `options`; here the ranking flags.
    mutating func validate() throws {
        ranking.minimumConfidence = options.settings.search.minConfidence
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
    }

    func run() async throws {
        let settings = options.settings
        // Client text in a log line is escaped: no request can forge or break a line.
        let logger = LoggingBootstrap.start("metiersd", level: settings.logLevel) { EscapingLogHandler(wrapping: $0) }

        // Socket activation: systemd passes the listening socket.
        let listening: Int32?
        do {
            listening = try SocketActivation.listeningSocket()
        } catch {
            fail("socket activation: \(error)")
        }

        // The Metrics API's backend: what /metrics serves.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var serverSettings = ServerSettings(settings, ranking: ranking, listening: listening)
        serverSettings.http = ServerSettings.http(settings, token: readToken(settings.http.tokenFile)) { registry.emitToBuffer() }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: settings.daemon.threads > 0 ? settings.daemon.threads : System.coreCount)
        let server: MetiersServer
        do {
            server = try await MetiersServer(settings: serverSettings, group: group, logger: logger)
        } catch {
            // The server's failure is the one reported; the loops stop with the process anyway.
            try? await group.shutdownGracefully()
            fail("\(error)")
        }
        let services = ServiceGroup(
            configuration: .init(services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await services.run()
        } catch {
            // The server's failure is the one reported; the loops stop with the process anyway.
            try? await group.shutdownGracefully()
            fail("\(error)")
        }
        try await group.shutdownGracefully()
    }

    /// The bearer token in `path` (its first line, trimmed); nil when `path` is empty.
    private func readToken(_ path: String) -> String? {
        guard !path.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
            let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first
        else { fail("cannot read a token from http.token_file \(path)") }
        let token = line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        guard !token.isEmpty else { fail("http.token_file \(path) holds no token") }
        return String(token)
    }

    /// One line on stderr, exit 1: the way a daemon that cannot start should say so.
    private func fail(_ message: String) -> Never {
        StandardError.line("metiersd: error: \(message)")
        #if canImport(Glibc)
        Glibc.exit(1)
        #elseif canImport(Darwin)
        Darwin.exit(1)
        #endif
    }
}
