import ArgumentParser
import Logging

/// The options every metiers-index subcommand takes: the settings (the file, `--cards` over
/// it, checked once by `validate()`) and the log level (notice unless `--log-level` says
/// otherwise: the file's `daemon.log_level` is the daemon's).
public struct IndexerOptions: ParsableArguments {
    @Option(help: "Configuration file.")
    public var config: String?

    @Option(help: "Job cards directory (one <id>.json per card).")
    public var cards: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: String = "notice"

    /// The configuration with the flags over it, set by `validate()`.
    public var settings = Settings()
    /// `--log-level`, set by `validate()`.
    public var level = Logger.Level.notice

    enum CodingKeys: CodingKey { case config, cards, logLevel }

    public init() {}

    public mutating func validate() throws {
        let (config, cards, logLevel) = (config, cards, logLevel)
        var level = Logger.Level.notice
        settings = try Settings.command("metiers-index") { () throws(SettingsError) in
            var settings = try Settings.load(explicit: config, environment: ProcessEnvironment.all)
            settings.override(\.index.cards, with: cards, key: "index.cards", flag: "--cards")
            try settings.validate()
            level = try LoggingBootstrap.level(logLevel, flag: "--log-level")
            return settings
        }
        self.level = level
    }

    /// Bootstraps logging at `--log-level`; metiers-index's logger.
    public func logger() -> Logger { LoggingBootstrap.start("metiers-index", level: level) }
}
