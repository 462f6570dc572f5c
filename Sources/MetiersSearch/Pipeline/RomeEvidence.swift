import MetiersSchema
import MetiersText

/// What ROME says about a query's title: the best title outside the cards' codes, the best
/// inside, and whether the words that make the difference belong outside.
struct RomeEvidence {
    /// The query's title keys and stems against ROME's titles.
    var shares: [String: Double] = [:]
    var stems = Set<String>()
    /// The best ROME title outside the cards' codes.
    var outside: RomeMatch?
    /// The quality of the best ROME title under the cards' codes.
    var inside = 0.0
    /// The largest and the smallest in-scope share (see `RomeIndex.inScopeShare`) of the
    /// outside title's words that no card title has; nil when every word of it is in some card
    /// title. The model says which one decides: every deciding word mostly outside (largest),
    /// or at least one (smallest).
    var wordShare: (largest: Double, smallest: Double)?
    /// For the crude rule (`rome-guards` off): the best ROME title of all is outside.
    var bestIsOutside = false
    /// The outside title leaves the title's first content word, the job's noun in French word
    /// order, to the cards: it does not contain it, and some card's title does ("Ingénieur" of
    /// "Ingénieur docker", where ROME's "Docker" is a dock worker). Not so for "Chargée de
    /// recrutement IT" ("Chargé de recrutement" has its noun) nor "Infirmier de nuit" (no card
    /// title has "infirmier").
    var outsideLeavesHead = false

    /// The evidence as named query-level features (`q_…`), for explanations and fitting.
    var named: [String: Double] {
        ["q_rome_outside": outside?.quality ?? 0, "q_rome_inside": inside, "q_rome_word_share": wordShare?.largest ?? -1,
         "q_rome_word_share_min": wordShare?.smallest ?? -1,
         "q_rome_crude": bestIsOutside ? 1 : 0, "q_rome_outside_leaves_head": outsideLeavesHead ? 1 : 0]
    }
}

extension SearchIndex {
    /// Stage 5, the query's title → ROME evidence. Only the title counts: a posting without one
    /// has none, so that its text alone never makes the answer "none".
    func romeEvidence(_ analysis: QueryAnalysis) throws -> RomeEvidence {
        guard let rome, options.rome else { return RomeEvidence() }
        var evidence = RomeEvidence()
        let trust = model.retrieval.expansionTrust
        let variants = analysis.plan.titleVariants(limit: 6, expansionTrust: trust).map { (words: Array($0.words.prefix(model.retrieval.maximumTitleWords)), trust: $0.trust) }
        for variant in variants {
            for (key, share) in titleKeys(variant.words, known: rome.titleWords) where share * variant.trust > (evidence.shares[key] ?? 0) {
                evidence.shares[key] = share * variant.trust
            }
        }
        let ownWords = (variants.first?.words ?? []).filter { !JobNoise.isTitleNoise($0) }
        evidence.stems = Set(ownWords.map { analyzer.stem($0) })
        guard analysis.hasTitle || !options.postingAnswers else { return evidence }
        evidence.outside = try rome.best(titleShares: evidence.shares, stems: evidence.stems, filter: nil, excluded: rome.inScope)
        evidence.inside = try rome.best(titleShares: evidence.shares, stems: evidence.stems, filter: rome.inScope)?.quality ?? 0
        if let outside = evidence.outside {
            evidence.outsideLeavesHead = ownWords.first.map { !outside.stems.contains(analyzer.stem($0)) && titleWords.contains($0) } ?? false
            // The words that make the difference: those in no card's title, and that no
            // vocabulary alias of the query covers (the vocabulary vouches for those: "codeur",
            // "helpdesk" are the sector's words, whatever other trades ROME also names so).
            let vouched = Set(analysis.plan.expandedIndices.map { analysis.plan.words[$0].stem })
            for stem in outside.stems.sorted() where !vouched.contains(stem) {
                guard try database.termFrequency(TermPrefix.title.rawValue + stem) == 0 else { continue }
                let share = try rome.inScopeShare(of: stem)
                evidence.wordShare = (max(evidence.wordShare?.largest ?? 0, share), min(evidence.wordShare?.smallest ?? 1, share))
            }
        }
        if !options.romeGuards {
            let best = try rome.best(titleShares: evidence.shares, stems: evidence.stems, filter: nil)
            evidence.bestIsOutside = best.map { !rome.cardCodes.contains($0.appellation.codeRomeParent) } ?? false
        }
        return evidence
    }
}
