/// metiers' settings: the configuration file (`Config/metiers.toml`) decoded over the defaults,
/// then the command-line flags over that. Read by the executables only; the libraries get plain
/// values (and a `Logger`).
///
/// Every default is here, once. Relative paths in a file are resolved against the file's
/// directory, so a configuration works whatever the current directory; the defaults and flags
/// are relative to the current directory. The ranges are checked by `validate()`, once, after
/// the flags are applied.
public struct Settings: Equatable, Sendable {
    /// `[daemon]`
    public struct Daemon: Equatable, Sendable {
        /// Unix socket the daemon listens on and the client connects to.
        public var socket = "/tmp/metiers.sock"
        /// Log level: trace, debug, info, notice, warning, error, critical.
        public var logLevel = "info"
        /// Event-loop threads of the daemon; 0 means one per core.
        public var threads = 0
        /// Search worker threads of the daemon, each with its own index handle; 0 means one per core.
        public var searchWorkers = 0
        public init() {}
    }

    /// `[index]`
    public struct Index: Equatable, Sendable {
        /// The index directory written by `metiers-index` and served by `metiersd`.
        public var database = "Index/db"
        /// The job cards directory.
        public var cards = "Index/cards"
        /// The vocabulary table (alias, expansion, cards, source, reason; tab-separated).
        public var vocabulary = "Config/vocabulary.tsv"
        /// The ROME data (France Travail open data, two CSV files) that metiers ships.
        public var rome = "Index/rome"
        /// The search's ranking model, written by `Scripts/fit` and stored in the index.
        public var rankingModel = "Config/ranking-model.json"
        /// Seconds between the daemon's checks for a new index version (0: never).
        public var reloadCheckSeconds = 2.0
        public init() {}
    }

    /// `[search]`
    public struct Search: Equatable, Sendable {
        /// Results per page when a request gives no `limit`.
        public var defaultLimit = 10
        /// Results under this confidence are dropped (nil: the ranking model's threshold).
        public var minConfidence: Double? = nil
        public init() {}
    }

    /// `[limits]`
    public struct Limits: Equatable, Sendable {
        /// Longest request line, in bytes.
        public var maxLineBytes = 1 << 20
        /// Connections served at once.
        public var maxConnections = 256
        /// Seconds a connection may go without completing a request.
        public var idleTimeoutSeconds = 60.0
        /// Time budget of one request, in milliseconds.
        public var requestTimeoutMs = 10_000
        /// Requests that may wait for a search worker; more are answered `overloaded` at once.
        public var maxQueuedRequests = 64
        /// Quoted phrases one query may have (more: `too_many_phrases`).
        public var maxPhrases = 16
        /// Words one quoted phrase may have (more: `phrase_too_long`).
        public var maxPhraseWords = 12
        /// `-word` exclusions one query may have (more: `too_many_exclusions`).
        public var maxExclusions = 32
        /// Distinct content words one query may have (more: `too_many_terms`).
        public var maxTerms = 2_000
        public init() {}
    }

    /// `[http]`: the HTTP listener beside the socket, off unless `listen` is set.
    public struct HTTP: Equatable, Sendable {
        /// `host:port` to listen on (`127.0.0.1:8080`, `[::1]:8080`); empty: no HTTP listener.
        public var listen = ""
        /// Directory of the web page served at `/` (empty: none).
        public var staticDirectory = ""
        /// File holding the bearer token every route but `/healthz` then requires (empty: none).
        public var tokenFile = ""
        public init() {}
    }

    public var daemon = Daemon()
    public var http = HTTP()
    public var index = Index()
    public var search = Search()
    public var limits = Limits()

    /// The configuration file these settings were read from (nil: the defaults).
    public var file: String?
    /// The settings a command-line flag gave, key → flag (`"limits.max_connections"` →
    /// `"--max-connections"`), so that an error names what the user wrote.
    public var flags: [String: String] = [:]

    public init() {}

    /// Sets the value at `path` (whose file key is `key`) to what `flag` gave, when it was given.
    public mutating func override<Value>(_ path: WritableKeyPath<Settings, Value>, with value: Value?, key: String, flag: String) {
        guard let value else { return }
        self[keyPath: path] = value
        flags[key] = flag
    }

    /// Where the value of `key` came from, for an error message.
    func source(of key: String) -> SettingsError.Source {
        if let flag = flags[key] { return .flag(flag) }
        if let file { return .file(file) }
        return .defaults
    }
}
