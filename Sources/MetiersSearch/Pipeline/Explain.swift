import MetiersModel
import MetiersSchema
import MetiersText

/// One candidate card with the named features the decision reads.
struct Candidate {
    var hit: SearchHit
    /// Features were computed (the first `explained` candidates); the others only rank.
    var explained: Bool
}

extension SearchIndex {
    /// Stage 4, ranked candidates → candidates with named features: how much of the query the
    /// card's titles and text explain, how its weight compares, and whether its role (managing
    /// or doing) is the query's. Only the first `explained` are explained (a walk of the card's
    /// terms each); the rest keep their Xapian weight for facets and paging.
    func explain(_ retrieved: Retrieved, _ composed: ComposedQuery, _ analysis: QueryAnalysis, request: SearchRequest) throws -> [Candidate] {
        let explained = max(model.retrieval.explained, request.offset + request.limit)
        let top = retrieved.matches.first?.weight ?? 0
        let second = retrieved.matches.count > 1 ? retrieved.matches[1].weight : 0
        var result: [Candidate] = []
        for (i, match) in retrieved.matches.enumerated() {
            let profile = try profile(match.docid)
            var hit = SearchHit(
                card: profile.summary, score: match.weight, confidence: 0, matched: [], matchedTitle: nil,
                snippet: nil, features: [:], docid: match.docid)
            guard i < explained else {
                result.append(Candidate(hit: hit, explained: false))
                continue
            }
            let found = matchedTerms(of: profile, composed)
            hit.matched = found.matched
            hit.matchedTitle = found.titleKey.flatMap { profile.titleByKey[$0] }
            var features: [String: Double] = [
                "title_share": found.titleShare,
                "coverage": coverage(found.stems, composed, analysis),
                "title_coverage": coverage(found.titleStems, composed, analysis),
                "relative_weight": top > 0 ? match.weight / top : 0,
                "margin": top > 0 ? (top - second) / top : 0,
                "query_words": Double(analysis.plan.words.count),
                "rank": Double(i),
            ]
            features.merge(derivedFeatures(features, analysis: analysis, cardManaging: profile.managing)) { a, _ in a }
            hit.features = features
            result.append(Candidate(hit: hit, explained: true))
        }
        return result
    }

    /// Features derived from the raw ones, by name (what the logistic model weighs).
    func derivedFeatures(_ f: [String: Double], analysis: QueryAnalysis, cardManaging: Double) -> [String: Double] {
        let words = f["query_words"] ?? 0
        let posting: Double = analysis.isPosting ? 1 : 0
        let query = analysis.managing
        return [
            "sqrt_query_words": min(words, 40).squareRoot(),
            "posting": posting,
            "posting_coverage": posting * (f["coverage"] ?? 0),
            "posting_title_share": posting * (f["title_share"] ?? 0),
            "first": f["rank"] == 0 ? 1 : 0,
            // A managing query on a doing card, and a doing query on a managing card.
            "role_up": options.role ? query * (1 - cardManaging) : 0,
            "role_down": options.role ? (1 - query) * cardManaging : 0,
            "card_managing": cardManaging,
        ]
    }

    /// The query terms the card has, from its (cached) term set: by field, the best title key
    /// and its share, the stems found anywhere and in titles.
    func matchedTerms(of profile: CardProfile, _ composed: ComposedQuery)
        -> (matched: [MatchedTerm], titleShare: Double, titleKey: String?, stems: Set<String>, titleStems: Set<String>)
    {
        var matched: [MatchedTerm] = []
        var bestShare = 0.0
        var bestKey: String?
        var stems = Set<String>()
        var titleStems = Set<String>()
        for (term, prefix, value) in composed.terms where profile.terms.contains(term) {
            if prefix == .titleKey {
                let share = composed.titleShares[value] ?? 0
                if share > bestShare || (share == bestShare && bestKey == nil) { bestShare = share; bestKey = value }
            } else if prefix == .romeTitleKey {
                // A ROME title of the card counts as a title match, with less trust.
                bestShare = max(bestShare, (composed.cardRomeShares[value] ?? 0) * model.decision.romeTitleTrust)
            } else if TermPrefix.textFields.contains(prefix) {
                matched.append(MatchedTerm(term: value, field: prefix.fieldName))
                stems.insert(value)
                if prefix == .title { titleStems.insert(value) }
            }
        }
        return (matched, bestShare, bestKey, stems, titleStems)
    }

    /// Share of the query's stems found among `stems`, directly or through an expansion; a
    /// corrected word counts half.
    func coverage(_ stems: Set<String>, _ composed: ComposedQuery, _ analysis: QueryAnalysis) -> Double {
        guard !composed.stems.isEmpty else { return 0 }
        let found = composed.stems.filter { stems.contains($0) || !(composed.expansionOf[$0] ?? []).isDisjoint(with: stems) }
        let n = Double(found.count) - 0.5 * Double(found.intersection(analysis.correctedStems).count)
        return n / Double(composed.stems.count)
    }
}
