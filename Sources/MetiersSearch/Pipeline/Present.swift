import MetiersModel

/// Stage 7, decision → the answer a client reads: facets over the kept cards, the page asked
/// for, a snippet and the best ROME appellation for each result, and for "none" the nearest
/// ROME métier.
extension SearchIndex {
    func present(_ decision: Decision, evidence: RomeEvidence, analysis: QueryAnalysis, retrieved: Retrieved, request: SearchRequest) throws -> SearchOutcome {
        var facets: Facets?
        if request.facets {
            var counts = Facets()
            for hit in decision.hits + decision.others {
                counts.famille[hit.card.famille, default: 0] += 1
                if let sousFamille = hit.card.sousFamille { counts.sousFamille[sousFamille, default: 0] += 1 }
                for code in hit.card.rome { counts.rome[code, default: 0] += 1 }
            }
            facets = counts
        }
        let page = decision.hits.dropFirst(request.offset).prefix(request.limit)
        // Each result's ROME appellation: the best-matching title under its codes, the card's
        // own ROME titles winning a tie (none for a card without a ROME code).
        let appellations = try rome?.bestPerCard(
            titleShares: evidence.shares, stems: evidence.stems, cards: page.map { (id: $0.card.id, codes: $0.card.rome) }) ?? [:]
        var result: [SearchHit] = []
        for var hit in page {
            if request.snippets { hit.snippet = try snippet(for: hit) }
            hit.romeAppellation = appellations[hit.card.id]
            result.append(hit)
        }
        var nearestRome: NearestRomeMatch?
        if result.isEmpty, let rome {
            var nearest = evidence.outside
            if nearest == nil && !evidence.stems.isEmpty {
                nearest = try rome.best(titleShares: evidence.shares, stems: evidence.stems, filter: nil, excluded: rome.inScope)
            }
            if let nearest, nearest.quality >= model.decision.nearestQuality, let metier = rome.metiers[nearest.appellation.codeRome] {
                nearestRome = NearestRomeMatch(metier: metier, appellation: nearest.appellation, quality: nearest.quality)
            }
        }
        return SearchOutcome(
            hits: result, total: retrieved.total, match: decision.match, didYouMean: analysis.didYouMean, facets: facets, nearestRome: nearestRome)
    }
}
