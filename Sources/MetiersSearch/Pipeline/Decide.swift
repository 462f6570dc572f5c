/// What stage 6 decides: the candidates in their final order with their confidence, and
/// whether the answer is "none".
struct Decision {
    /// The explained candidates kept, in order: what a page shows.
    var hits: [SearchHit]
    /// The other candidates kept (not explained: they count in facets, never on a page).
    var others: [SearchHit]
    var match: MatchKind
}

/// Stage 6, candidates + ROME evidence → the answer: a pure function of named features and
/// the model, so that `Scripts/fit` can replay it on dumped features (it does the same steps
/// in Python, and checks that the daemon agrees with it).
enum Decide {
    static func decide(_ candidates: [Candidate], evidence: RomeEvidence, analysis: QueryAnalysis, model: RankingModel, options: RankingOptions) -> Decision {
        // Confidence: the model's probability for each explained candidate, which orders them
        // (ties keep Xapian's order); the others get the first's scaled by their weight.
        var explained = candidates.filter(\.explained).map(\.hit)
        for i in explained.indices {
            explained[i].features.merge(evidence.named) { a, _ in a }
            explained[i].confidence = (model.probability(explained[i].features) * 1000).rounded() / 1000
        }
        explained = explained.enumerated().sorted { ($0.element.confidence, -$0.offset) > ($1.element.confidence, -$1.offset) }.map(\.element)
        var hits = explained
        let first = hits.first?.confidence ?? 0
        let topWeight = candidates.first?.hit.score ?? 0
        var others: [SearchHit] = []
        for candidate in candidates where !candidate.explained {
            var hit = candidate.hit
            hit.confidence = topWeight > 0 ? (first * hit.score / topWeight * 1000).rounded() / 1000 : 0
            others.append(hit)
        }
        if options.abstention {
            let threshold = options.minimumConfidence ?? model.decision.threshold
            let outside = options.rome && isOutside(evidence, top: hits.first, model: model, options: options)
            // A title answers "none" below the threshold; a posting only on ROME's evidence.
            let doubtful = first < threshold && (!analysis.isPosting || !options.postingAnswers)
            if outside || doubtful || hits.isEmpty {
                hits.removeAll()
                others.removeAll()
            } else {
                let keep = threshold * model.decision.keepShare
                hits = [hits[0]] + hits.dropFirst().filter { $0.confidence >= keep }
                others = others.filter { $0.confidence >= keep }
            }
        }
        let match: MatchKind = hits.first.map { $0.matchedTitle != nil ? .title : .text } ?? .none
        return Decision(hits: hits, others: others, match: match)
    }

    /// ROME's positive evidence that the query is another trade: a ROME title outside the
    /// cards' codes explains the query's title well, clearly better than the best card's title
    /// and than any ROME title under the cards' codes, through words that are mostly found
    /// outside. Without the guards, the crude rule: the best ROME title is outside.
    static func isOutside(_ evidence: RomeEvidence, top: SearchHit?, model: RankingModel, options: RankingOptions) -> Bool {
        guard options.romeGuards else { return evidence.bestIsOutside }
        guard let outside = evidence.outside, let wordShare = evidence.wordShare else { return false }
        let cardTitle = top?.features["title_share"] ?? 0
        let d = model.decision
        return !evidence.outsideLeavesHead && outside.quality >= d.outsideQuality
            && outside.quality >= max(cardTitle, evidence.inside) + d.outsideLead
            && (d.outsideWordRule == .every ? wordShare.largest : wordShare.smallest) < d.outsideWordShare
    }
}
