import Foundation
import MetiersProtocol

/// A classify batch shared by the search workers: the worker that took the request claims chunk
/// after chunk, and an idle worker takes one chunk at a time (a request waiting in the queue
/// goes before its next one); the request's worker answers once every chunk is done. Nothing waits for a queued job: the request's
/// worker classifies every chunk no other worker has claimed, so a busy pool only makes the
/// batch run on fewer workers, never stall.
final class BatchSplit: @unchecked Sendable {
    let postings: [Posting]
    let chunkSize: Int
    private let lock = NSCondition()
    private var nextChunk = 0
    private var running = 0
    private var items: [ClassifiedItem?]

    init(postings: [Posting], chunkSize: Int) {
        self.postings = postings
        self.chunkSize = max(1, chunkSize)
        items = Array(repeating: nil, count: postings.count)
    }

    var chunkCount: Int { (postings.count + chunkSize - 1) / chunkSize }

    /// Claims and classifies chunks with `classify` until none is left.
    func work(_ classify: (ArraySlice<Posting>) -> [ClassifiedItem]) {
        while workOne(classify) {}
    }

    /// Claims and classifies one chunk; false when none was left.
    func workOne(_ classify: (ArraySlice<Posting>) -> [ClassifiedItem]) -> Bool {
        guard let range = claim() else { return false }
        let done = classify(postings[range])
        lock.lock()
        for (offset, item) in done.enumerated() { items[range.lowerBound + offset] = item }
        running -= 1
        lock.broadcast()
        lock.unlock()
        return true
    }

    /// Chunks no worker has claimed yet.
    var unclaimed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return nextChunk < chunkCount
    }

    /// Every posting's item, in the batch's order, once the chunks claimed elsewhere are done.
    func waitForItems() -> [ClassifiedItem] {
        lock.lock()
        while running > 0 || nextChunk < chunkCount { lock.wait() }
        lock.unlock()
        return items.map { $0! }
    }

    private func claim() -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard nextChunk < chunkCount else { return nil }
        let start = nextChunk * chunkSize
        nextChunk += 1
        running += 1
        return start..<min(start + chunkSize, postings.count)
    }
}
