import Foundation
import Logging
import MetiersImport
import MetiersSearch

/// `metiers-bench --profile titles|postings --db DB`: in-process searches only, on an index
/// already built, for a profiler (`perf record`, `valgrind --tool=callgrind`). The same
/// workload as the bench (same seed); `--profile-count` searches after one warm-up pass, and
/// the mean wall time per search on stderr. With `--profile-count 0` only the warm-up runs, so
/// that callgrind's count of a run with N searches minus the count of one with 0, over N, is
/// the instruction count of one search.
struct Profile {
    enum Kind: String { case titles, postings, classify }

    static func run(kind: Kind, db: String, count: Int, seed: UInt64, repository: String) throws {
        let cards = try CardStore.load(from: repository + "/Index/cards")
        var workload = Workload(pools: TextPools(cards: cards), postingCount: 16, seed: seed)
        let queries: [String]
        var request: (String) -> SearchRequest = { SearchRequest(text: $0, mode: .search, limit: 10) }
        switch kind {
        case .titles: queries = workload.titles
        case .postings: queries = workload.postings
        case .classify:
            var rng = SeededRNG(seed: seed)
            let pools = TextPools(cards: cards)
            queries = (0..<64).map { _ in Workload.posting(pools: pools, words: 120, rng: &rng) }
            request = {
                var r = SearchRequest(text: $0, mode: .search, limit: 3)
                r.snippets = false
                return r
            }
        }
        workload.titles = []
        let logger = Logger(label: "metiers-bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let index = try SearchIndex(path: db, logger: logger)
        for q in queries { _ = try? index.search(request(q)) }
        let clock = ContinuousClock()
        let t0 = clock.now
        for i in 0..<count { _ = try? index.search(request(queries[i % queries.count])) }
        let elapsed = clock.now - t0
        if count > 0 {
            let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
            progress("\(kind.rawValue): \(count) searches, mean \(String(format: "%.1f", micros / Double(count))) µs")
        }
    }
}
