import Metrics
import NIOConcurrencyHelpers

/// The daemon's metrics, through the Metrics API (metiersd bootstraps the Prometheus backend;
/// without one they cost next to nothing): requests by op and outcome, latency by op, the
/// search queue's depth, open connections. Socket and HTTP count alike.
final class ServerMetrics: Sendable {
    private let connections = Gauge(label: "metiers_connections_open")
    private let queueDepth = Gauge(label: "metiers_search_queue_depth")
    /// Meters by op (and by outcome): made once, since the factory's lookup takes a lock.
    private let requestCounters = NIOLockedValueBox<[String: Counter]>([:])
    private let timers = NIOLockedValueBox<[String: Metrics.Timer]>([:])

    init() {}

    func request(op: String, errorCode: String?, nanoseconds: Int64) {
        let outcome = errorCode ?? "ok"
        let key = op + "\u{0}" + outcome
        let counter = requestCounters.withLockedValue { counters in
            if let c = counters[key] { return c }
            let c = Counter(label: "metiers_requests_total", dimensions: [("op", op), ("outcome", outcome)])
            counters[key] = c
            return c
        }
        counter.increment()
        let timer = timers.withLockedValue { timers in
            if let t = timers[op] { return t }
            let t = Metrics.Timer(label: "metiers_request_duration_seconds", dimensions: [("op", op)], preferredDisplayUnit: .seconds)
            timers[op] = t
            return t
        }
        timer.recordNanoseconds(nanoseconds)
    }

    func connectionsOpen(_ count: Int) { connections.record(count) }
    func queued(_ count: Int) { queueDepth.record(count) }
}
