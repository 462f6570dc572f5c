import Logging
import NIOConcurrencyHelpers

/// Text for a log line that client text cannot forge: control characters (newlines, ESC, NUL,
/// C1 controls, line and paragraph separators) are written as escapes (`\n`, `\u{1B}`), so one
/// message is always one line and never carries terminal escape sequences. Escaping twice
/// changes nothing (the escapes hold no control character).
public enum LogText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let escape: String
            switch scalar {
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            default: escape = "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }

    static func escaped(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let s): .string(escaped(s))
        case .stringConvertible(let c): .string(escaped(c.description))
        case .array(let values): .array(values.map(escaped))
        case .dictionary(let d): .dictionary(d.reduce(into: [:]) { $0[escaped($1.key)] = escaped($1.value) })
        }
    }
}

/// A log handler that escapes every message and metadata value (see `LogText`) before the
/// handler it wraps writes them: whatever a client sends, it cannot add a line to the log.
public struct EscapingLogHandler: LogHandler {
    private var inner: any LogHandler

    public init(wrapping inner: any LogHandler) { self.inner = inner }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.MetadataValue? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        var safe = event
        safe.message = "\(LogText.escaped(event.message.description))"
        safe.metadata = event.metadata?.reduce(into: Logger.Metadata()) { $0[LogText.escaped($1.key)] = LogText.escaped($1.value) }
        inner.log(event: safe)
    }
}

/// Bad-request notices, at most `perSecond` a second for the whole daemon; the rest are counted,
/// and one line says how many were dropped (on the next notice after the second, or on `flush`,
/// which the daemon calls every second).
public final class NoticeLimiter: Sendable {
    struct Window {
        var start = ContinuousClock.now
        var logged = 0
        var dropped = 0
    }

    let perSecond: Int
    private let window = NIOLockedValueBox(Window())

    public init(perSecond: Int = 10) { self.perSecond = perSecond }

    /// Logs a bad-request notice unless the second's budget is spent.
    func notice(_ logger: Logger, _ message: Logger.Message, metadata: Logger.Metadata) {
        let (admit, dropped) = window.withLockedValue { w -> (Bool, Int) in
            let reported = Self.roll(&w)
            guard w.logged < perSecond else {
                w.dropped += 1
                return (false, reported)
            }
            w.logged += 1
            return (true, reported)
        }
        report(dropped, logger)
        if admit { logger.notice(message, metadata: metadata.mapValues { LogText.escaped($0) }) }
    }

    /// Says how many notices were dropped in a second that has ended.
    func flush(_ logger: Logger) {
        report(window.withLockedValue { Self.roll(&$0) }, logger)
    }

    /// Starts a new window when a second has passed; the count dropped in the one that ended.
    private static func roll(_ w: inout Window) -> Int {
        let now = ContinuousClock.now
        guard now - w.start >= .seconds(1) else { return 0 }
        let dropped = w.dropped
        w = Window(start: now)
        return dropped
    }

    private func report(_ dropped: Int, _ logger: Logger) {
        if dropped > 0 {
            logger.notice("bad-request notices dropped (at most \(perSecond) a second are logged)", metadata: ["dropped": "\(dropped)"])
        }
    }
}
