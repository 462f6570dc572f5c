import Metrics
import NIOConcurrencyHelpers

/// The daemon's metrics, through the Metrics API (metiersd bootstraps the Prometheus backend;
/// without one they cost next to nothing): requests by op and outcome, latency by op, HTTP
/// responses by status, the search queue's depth, open connections. Socket and HTTP count alike.
final class ServerMetrics: Sendable {
    private let connections = Gauge(label: "metiers_connections_open")
    private let queueDepth = Gauge(label: "metiers_search_queue_depth")
    private let requestCounters = Meters<Counter>()
    private let timers = Meters<Metrics.Timer>()
    private let httpCounters = Meters<Counter>()

    init() {}

    func request(op: String, errorCode: String?, nanoseconds: Int64) {
        let outcome = errorCode ?? "ok"
        requestCounters.meter(op + "\u{0}" + outcome) {
            Counter(label: "metiers_requests_total", dimensions: [("op", op), ("outcome", outcome)])
        }.increment()
        timers.meter(op) {
            Metrics.Timer(label: "metiers_request_duration_seconds", dimensions: [("op", op)], preferredDisplayUnit: .seconds)
        }.recordNanoseconds(nanoseconds)
    }

    /// One HTTP response, whatever answered it: a protocol response, a file, or a refusal made
    /// before the protocol layer (404 no route, 401 no token, 413 too large, 400 not HTTP,
    /// 503 over the connection limit), which `metiers_requests_total` never sees.
    func httpResponse(status: Int) {
        let status = String(status)
        httpCounters.meter(status) { Counter(label: "metiers_http_responses_total", dimensions: [("status", status)]) }.increment()
    }

    func connectionsOpen(_ count: Int) { connections.record(count) }
    func queued(_ count: Int) { queueDepth.record(count) }
}

/// Meters made once per set of dimensions: the factory's lookup takes a lock, and the label
/// sets are few (ops × outcomes, statuses).
private final class Meters<Meter: Sendable>: Sendable {
    private let made = NIOLockedValueBox<[String: Meter]>([:])

    func meter(_ key: String, make: () -> Meter) -> Meter {
        made.withLockedValue { made in
            if let meter = made[key] { return meter }
            let meter = make()
            made[key] = meter
            return meter
        }
    }
}
