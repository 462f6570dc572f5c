import Foundation
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A fixed pool of search workers, each a thread of its own that owns a `RequestHandler` (and so
/// its own Xapian database handle: Xapian handles are not thread-safe), fed by one bounded queue.
///
/// The event loops never search: they hand requests over and go on answering `health` and
/// `stats` from the shared state. Past `capacity` waiting requests, `submit` refuses at once
/// (the caller answers `overloaded`) instead of letting the wait grow without bound.
final class SearchPool: @unchecked Sendable {
    typealias Job = (RequestHandler) -> Void

    /// What `submit` did with a job.
    enum Admission: Equatable {
        case accepted
        /// The queue is full: `queued` requests wait for a worker.
        case refused(queued: Int)
    }

    /// Requests that may wait for a worker.
    let capacity: Int
    private let condition = NSCondition()
    private var queue = CircularBuffer<Job>()
    /// Offers of a share of a classify batch: taken after waiting requests, and not counted
    /// against `capacity` (they are an admitted request's work).
    private var shares = CircularBuffer<Job>()
    private var busy = 0
    private var stopping = false
    private var threads: [Thread] = []
    private let finished = DispatchGroup()
    private let logger: Logger
    /// Where the queue's depth is reported (`/metrics`).
    var metrics: ServerMetrics?

    /// A job that ran this long leaves memory worth handing back to the system at once.
    static let heavyJob: Duration = .milliseconds(100)
    /// A worker idle this long after work hands freed memory back to the system.
    static let idleTrimDelay: TimeInterval = 1

    init(capacity: Int, logger: Logger) {
        self.capacity = capacity
        self.logger = logger
    }

    /// Starts one worker thread per handler; each handler is only ever used by its thread.
    func start(handlers: [RequestHandler]) {
        for (number, handler) in handlers.enumerated() {
            finished.enter()
            let owned = Owned(handler)
            let thread = Thread { [self] in
                work(with: owned.value)
                finished.leave()
            }
            thread.name = "metiersd-search-\(number)"
            thread.stackSize = 8 << 20
            threads.append(thread)
        }
        for thread in threads { thread.start() }
    }

    /// Queues a request; refused when `capacity` requests already wait.
    func submit(_ job: @escaping Job) -> Admission {
        condition.lock()
        defer { condition.unlock() }
        guard queue.count < capacity, !stopping else { return .refused(queued: queue.count) }
        queue.append(job)
        metrics?.queued(queue.count)
        condition.signal()
        return .accepted
    }

    /// Queues work of the daemon itself (opening a new index for a reload), never refused.
    func submitControl(_ job: @escaping Job) {
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Offers a share of an admitted request's work to the next idle worker.
    func submitShare(_ job: @escaping Job) {
        condition.lock()
        shares.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Requests waiting for a worker, and workers at work.
    var load: (queued: Int, busy: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (queue.count, busy)
    }

    /// Lets the workers finish what is queued, then stops them and waits for them.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
    }

    /// A worker: takes jobs in order; after a heavy job, and once idle after work, hands freed
    /// memory back to the system (a burst's allocations would otherwise stay resident).
    private func work(with handler: RequestHandler) {
        var dirty = false
        while let job = next(idleTrim: &dirty) {
            let started = ContinuousClock.now
            job(handler)
            let elapsed = ContinuousClock.now - started
            condition.lock()
            busy -= 1
            condition.unlock()
            dirty = true
            if elapsed >= Self.heavyJob {
                Self.returnMemory()
                dirty = false
            }
        }
    }

    /// The next job (counted busy), nil once stopping with nothing queued. A worker that waited
    /// `idleTrimDelay` with nothing to do after some work returns memory first.
    private func next(idleTrim dirty: inout Bool) -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && shares.isEmpty && !stopping {
            if dirty {
                let woken = condition.wait(until: Date().addingTimeInterval(Self.idleTrimDelay))
                if !woken && queue.isEmpty && shares.isEmpty {
                    condition.unlock()
                    Self.returnMemory()
                    condition.lock()
                    dirty = false
                }
            } else {
                condition.wait()
            }
        }
        // A waiting request goes before the next share of a batch already under way.
        guard let job = queue.popFirst() ?? shares.popFirst() else { return nil }
        metrics?.queued(queue.count)
        busy += 1
        return job
    }

    /// Hands the heap's free pages back to the system (glibc keeps them otherwise).
    static func returnMemory() {
        #if canImport(Glibc)
        _ = mallocTrim(0)
        #endif
    }
}

/// A value handed to the one thread that will use it from then on.
struct Owned<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
