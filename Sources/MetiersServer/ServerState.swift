import MetiersSearch
import NIOConcurrencyHelpers

/// The index a request handler serves, and the one staged to replace it.
///
/// A reload opens the new index for each search worker (on a worker) and stages it here; the
/// worker's handler adopts it before its next request, so a request in flight always finishes
/// on the index it started with, and a `SearchIndex` is only ever used by one thread at a time.
final class IndexSlot: @unchecked Sendable {
    private let lock = NIOLock()
    private var staged: SearchIndex?

    func stage(_ index: SearchIndex) {
        lock.withLock { staged = index }
    }

    func takeStaged() -> SearchIndex? {
        lock.withLock {
            defer { staged = nil }
            return staged
        }
    }
}

/// State shared by every event loop and search worker: the index served (version, build date,
/// card count), reload outcomes and counters; enough to answer `health` and `stats` without a
/// search handle.
public final class ServerState: Sendable {
    struct Counters {
        var requests: [String: Int] = [:]
        var errors: [String: Int] = [:]
        /// Recent latencies in microseconds (a ring of the last 8,192).
        var latencies: [Double] = []
        var latencyCursor = 0
        var open = 0
        var accepted = 0
        var refused = 0
        var idleClosed = 0
        var indexVersion = ""
        var builtAt = ""
        var cardCount = 0
        var reloads = 0
        var reloadFailures = 0
        var lastReloadError: String?
    }

    private let counters = NIOLockedValueBox(Counters())
    /// The same counts through the Metrics API (`/metrics`).
    let metrics = ServerMetrics()
    public let startedAt = ContinuousClock.now
    static let latencyWindow = 8192

    init(indexVersion: String, builtAt: String, cardCount: Int) {
        counters.withLockedValue {
            $0.indexVersion = indexVersion
            $0.builtAt = builtAt
            $0.cardCount = cardCount
        }
    }

    func record(op: String, errorCode: String?, microseconds: Double) {
        metrics.request(op: op, errorCode: errorCode, nanoseconds: Int64(microseconds * 1000))
        counters.withLockedValue { c in
            c.requests[op, default: 0] += 1
            if let errorCode { c.errors[errorCode, default: 0] += 1 }
            if c.latencies.count < Self.latencyWindow {
                c.latencies.append(microseconds)
            } else {
                c.latencies[c.latencyCursor] = microseconds
                c.latencyCursor = (c.latencyCursor + 1) % Self.latencyWindow
            }
        }
    }

    /// Counts an accepted connection; false when it is over `limit` (counted as refused).
    func connectionOpened(limit: Int) -> Bool {
        counters.withLockedValue { c in
            guard c.open < limit else {
                c.refused += 1
                return false
            }
            c.open += 1
            c.accepted += 1
            metrics.connectionsOpen(c.open)
            return true
        }
    }

    func connectionClosed() {
        counters.withLockedValue {
            $0.open -= 1
            metrics.connectionsOpen($0.open)
        }
    }
    func idleClosed() { counters.withLockedValue { $0.idleClosed += 1 } }

    func reloaded(version: String, builtAt: String, cardCount: Int) {
        counters.withLockedValue {
            $0.indexVersion = version
            $0.builtAt = builtAt
            $0.cardCount = cardCount
            $0.reloads += 1
            $0.lastReloadError = nil
        }
    }

    func reloadFailed(_ message: String) {
        counters.withLockedValue {
            $0.reloadFailures += 1
            $0.lastReloadError = message
        }
    }

    func record(op: String, errorCode: String?, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let microseconds = Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6
        record(op: op, errorCode: errorCode, microseconds: microseconds)
    }

    var indexVersion: String { counters.withLockedValue { $0.indexVersion } }
    var lastReloadError: String? { counters.withLockedValue { $0.lastReloadError } }

    var uptimeSeconds: Double {
        let d = ContinuousClock.now - startedAt
        return Double(d.components.seconds) + Double(d.components.attoseconds / 1_000_000_000_000) / 1_000_000
    }

    func snapshot() -> Counters { counters.withLockedValue { $0 } }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : product &+ attoseconds / 1_000_000_000
    }
}
