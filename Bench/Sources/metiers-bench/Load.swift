#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MetiersClient

/// What a run of request/response round trips measured.
struct LoadResult {
    var latencies = Samples()
    /// From the moment all clients were released to the moment the last finished.
    var wall: Duration = .zero
    var requests = 0
    /// Responses without `"ok":true`, and connection failures.
    var errors = 0
    var firstError: String?

    var perSecond: Double { wall > .zero ? Double(requests) / wall.seconds : 0 }
}

/// Per-client results, written by each client thread into its own slot.
private final class Slots: @unchecked Sendable {
    var latencies: [[Double]]
    var errors: [Int]
    var messages: [String?]
    init(_ n: Int) {
        latencies = Array(repeating: [], count: n)
        errors = Array(repeating: 0, count: n)
        messages = Array(repeating: nil, count: n)
    }
}

/// `clients` threads, each with its own `MetiersConnection`, do `total` round trips between
/// them (request k of client c is `lines[(offset + c * stride + k) % lines.count]`). All
/// connect first, then start together.
func runLoad(socket: String, clients: Int, lines: [[UInt8]], total: Int, offset: Int = 0) -> LoadResult {
    let perClient = max(1, total / clients)
    let slots = Slots(clients)
    let ready = DispatchGroup()
    let done = DispatchGroup()
    let go = DispatchSemaphore(value: 0)
    let stride = max(1, lines.count / max(1, clients)) | 1
    for c in 0..<clients {
        ready.enter()
        done.enter()
        let thread = Thread {
            defer { done.leave() }
            var latencies: [Double] = []
            latencies.reserveCapacity(perClient)
            let connection: MetiersConnection
            do {
                connection = try MetiersConnection(path: socket)
            } catch {
                slots.errors[c] = perClient
                slots.messages[c] = "\(error)"
                ready.leave()
                return
            }
            ready.leave()
            go.wait()
            let clock = ContinuousClock()
            var errors = 0
            for k in 0..<perClient {
                let line = lines[(offset + c * stride + k) % lines.count]
                let t0 = clock.now
                do {
                    let response = try connection.exchange(line)
                    latencies.append((clock.now - t0).microseconds)
                    if !response.contains(bytes: okTrue) {
                        errors += 1
                        if slots.messages[c] == nil { slots.messages[c] = String(decoding: response.prefix(300), as: UTF8.self) }
                    }
                } catch {
                    errors += perClient - k
                    slots.messages[c] = "\(error)"
                    break
                }
            }
            slots.latencies[c] = latencies
            slots.errors[c] = errors
        }
        thread.stackSize = 512 * 1024
        thread.start()
    }
    ready.wait()
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<clients { go.signal() }
    done.wait()
    var result = LoadResult()
    result.wall = clock.now - start
    for c in 0..<clients {
        result.latencies.append(contentsOf: slots.latencies[c])
        result.errors += slots.errors[c]
        if result.firstError == nil { result.firstError = slots.messages[c] }
    }
    result.requests = result.latencies.count
    return result
}

/// Accumulates several rounds of one configuration: latencies pooled, req/s per round.
struct Rounds {
    var latencies = Samples()
    var rates: [Double] = []
    var errors = 0
    var firstError: String?

    mutating func add(_ r: LoadResult) {
        latencies.append(contentsOf: r.latencies)
        rates.append(r.perSecond)
        errors += r.errors
        if firstError == nil { firstError = r.firstError }
    }

    var medianRate: Double { rates.isEmpty ? 0 : median(rates) }
}
