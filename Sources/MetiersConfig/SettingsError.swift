/// Why the settings cannot be used: where the bad value came from (a file, a flag) and what is
/// wrong with it. Its description is the one line an executable prints before exiting.
public struct SettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Source: Equatable, Sendable {
        /// The configuration file at this path.
        case file(String)
        /// This command-line flag (`--max-connections`).
        case flag(String)
        /// No file nor flag (the defaults).
        case defaults
    }

    public enum Problem: Equatable, Sendable {
        /// The file cannot be read.
        case unreadable
        /// The file is not UTF-8 text.
        case notUTF8
        /// The file is not TOML.
        case syntax(line: Int, column: Int, message: String)
        /// A key metiers does not know (a typo would otherwise be ignored silently).
        case unknownKey(String)
        /// `key` holds `found`; it must be `expected` ("an integer", "between 1 and 100"). The key
        /// is empty for a flag that is not a setting (metiers-index's `--log-level`).
        case invalid(key: String, expected: String, found: String)
    }

    public var source: Source
    public var problem: Problem

    public init(_ source: Source, _ problem: Problem) {
        self.source = source
        self.problem = problem
    }

    public var description: String {
        switch (source, problem) {
        case (.file(let path), _): "\(path): \(problemDescription)"
        case (.flag(let flag), .invalid("", let expected, let found)): "\(flag) must be \(expected), found \(found)"
        case (.flag(let flag), .invalid(let key, let expected, let found)): "\(flag) (\(key)) must be \(expected), found \(found)"
        case (.flag(let flag), _): "\(flag): \(problemDescription)"
        case (.defaults, _): problemDescription
        }
    }

    var problemDescription: String {
        switch problem {
        case .unreadable: "cannot read the configuration file"
        case .notUTF8: "the configuration file is not UTF-8"
        case .syntax(let line, let column, let message): "line \(line), column \(column): \(message)"
        case .unknownKey(let key): "unknown setting '\(key)'"
        case .invalid(let key, let expected, let found): "'\(key)' must be \(expected), found \(found)"
        }
    }
}
