import MetiersXapian

/// What stage 3 gives back: Xapian's ranked candidates.
struct Retrieved {
    var matches: [(docid: UInt32, weight: Double)]
    /// Estimated number of matching cards in all, before the decision.
    var total: Int
}

extension SearchIndex {
    /// Stage 3, Xapian query → ranked candidates: enough to decide on (`candidates`), to fill
    /// the page asked for, and every card when facets are counted.
    func retrieve(_ composed: ComposedQuery, request: SearchRequest) throws -> Retrieved {
        var wanted = max(model.retrieval.candidates, request.offset + request.limit)
        if request.facets { wanted = max(wanted, min(cardCount, 10_000)) }
        // Xapian's match gets what is left of the budget, and answers the best found by then.
        let left = request.deadline.map { max(.milliseconds(1), $0 - ContinuousClock.now) }
        let mset = try searchRetrying(composed.query, limit: wanted, timeLimit: left)
        var matches: [(docid: UInt32, weight: Double)] = []
        matches.reserveCapacity(mset.count)
        for i in 0..<mset.count {
            let match = try mset.match(at: i)
            matches.append((match.docid, match.weight))
        }
        return Retrieved(matches: matches, total: mset.matchesEstimated)
    }
}
