import Logging

/// The executables' logging: swift-log on standard error at one level, set up once per process.
/// Libraries never call this; they take the `Logger` it returns.
public enum LoggingBootstrap {
    /// Bootstraps swift-log (stderr, `level`), each handler passed through `wrap` (the daemon
    /// escapes client text with it), and returns the executable's logger, labelled `label`.
    public static func start(
        _ label: String, level: Logger.Level,
        wrap: @escaping @Sendable (StreamLogHandler) -> any LogHandler = { $0 }
    ) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = wrap(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }

    /// The level called `name`; an error that lists the levels when there is none.
    public static func level(_ name: String, flag: String) throws(SettingsError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: name) else {
            throw SettingsError(.flag(flag), .invalid(key: "", expected: "one of \(Settings.logLevels.joined(separator: ", "))", found: "\"\(name)\""))
        }
        return level
    }
}
