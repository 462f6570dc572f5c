import MetiersSchema
import MetiersText
import MetiersXapian

/// What stage 2 gives the retrieval: the Xapian query, and what the explanation needs to know
/// about it (the title keys it asked for, with their shares, and every term it can match).
struct ComposedQuery {
    var query: Query
    /// Title key → share of the query it covers (times the trust of its variant).
    var titleShares: [String: Double]
    /// The same for the ROME titles attributed to cards.
    var cardRomeShares: [String: Double]
    /// Every term the query can match, in field order, with its prefix apart.
    var terms: [(term: String, prefix: TermPrefix, value: String)]
    /// The query's content stems, and per stem the stems of its expansions.
    var stems: Set<String>
    var expansionOf: [String: Set<String>]
}

extension SearchIndex {
    /// Stage 2, analysis → Xapian query: each distinct stem over the weighted fields (head
    /// words weigh more), each expansion as one word, the title keys of the query's title
    /// variants weighted by the square of their share, phrases required, exclusions and
    /// filters applied.
    func compose(_ analysis: QueryAnalysis, request: SearchRequest) throws -> ComposedQuery {
        let plan = analysis.plan
        let useRome = options.rome && rome != nil
        let explainedFields = model.fieldWeights(request.mode).filter { useRome || $0.0 != .romeTitle }
        let weights = explainedFields.filter { $0.1 > 0 }
        var parts: [Query] = []
        // One sub-query per distinct stem, weighted by how often the query repeats it.
        var stemWeights: [(String, Double)] = []
        var stemIndex: [String: Int] = [:]
        for word in plan.words {
            // A posting's title outweighs its body; a title's head and details weigh alike.
            let weight = word.inHead && analysis.isPosting ? model.retrieval.headWeight : 1
            if let i = stemIndex[word.stem] {
                stemWeights[i].1 += weight
            } else {
                stemIndex[word.stem] = stemWeights.count
                stemWeights.append((word.stem, weight))
            }
        }
        for (stem, weight) in stemWeights { if let q = try fieldsQuery([stem], weights: weights, scale: weight) { parts.append(q) } }
        for expansion in plan.expansions {
            // An expansion of several words counts as much as one word of the query.
            for stems in expansion.stems where !stems.isEmpty {
                if let q = try fieldsQuery(stems, weights: weights, scale: model.retrieval.expansionWeight / Double(stems.count)) { parts.append(q) }
            }
        }
        let (titleShares, cardRomeShares) = options.titleMatch ? titleShares(plan, useRome: useRome) : ([:], [:])
        parts += try titleKeyQueries(titleShares, cardRomeShares, plan: plan, posting: analysis.isPosting, mode: request.mode)
        var query = try requirePhrases(analysis.parsed, ranking: parts, weights: weights)
        query = try exclude(analysis.parsed, from: query)
        if let filter = try filterQuery(request) { query = try Query(.filter, [query, filter]) }

        var expansionOf: [String: Set<String>] = [:]
        for expansion in plan.expansions {
            for i in expansion.range { expansionOf[plan.words[i].stem, default: []].formUnion(expansion.stems.flatMap { $0 }) }
        }
        var terms: [(term: String, prefix: TermPrefix, value: String)] = []
        var seen = Set<String>()
        let allStems = plan.words.map(\.stem) + plan.expansions.flatMap { $0.stems.flatMap { $0 } }
            + analysis.parsed.phrases.flatMap { $0.map { analyzer.stem($0.word) } }
        for (prefix, _) in explainedFields {
            for stem in allStems {
                let term = prefix.rawValue + stem
                if exists(term) && !isSectorTitleMatch(prefix, stem) && seen.insert(term).inserted { terms.append((term, prefix, stem)) }
            }
        }
        for key in titleShares.keys.sorted() { terms.append((TermPrefix.titleKey.rawValue + key, .titleKey, key)) }
        for key in cardRomeShares.keys.sorted() { terms.append((TermPrefix.romeTitleKey.rawValue + key, .romeTitleKey, key)) }
        return ComposedQuery(
            query: query, titleShares: titleShares, cardRomeShares: cardRomeShares, terms: terms,
            stems: Set(plan.words.map(\.stem)), expansionOf: expansionOf)
    }

    /// The title keys of the query's title variants (and their sub-titles), with the share of
    /// the query each covers: against the cards' own titles and the attributed ROME titles.
    func titleShares(_ plan: QueryPlan, useRome: Bool) -> ([String: Double], [String: Double]) {
        var own: [String: Double] = [:]
        var romeShares: [String: Double] = [:]
        var variants = plan.titleVariants(limit: 6, expansionTrust: model.retrieval.expansionTrust)
        if options.role { variants += roleVariants(variants) }
        for variant in variants {
            for (key, share) in titleKeys(variant.words, known: titleWords) where share * variant.trust > (own[key] ?? 0) {
                own[key] = share * variant.trust
            }
            guard useRome else { continue }
            for (key, share) in titleKeys(variant.words, known: romeTitleWords) where share * variant.trust > (romeShares[key] ?? 0) {
                romeShares[key] = share * variant.trust
            }
        }
        return (own, romeShares)
    }

    /// The title variants with one managing word in place of another ("manager helpdesk" →
    /// "responsable helpdesk", "chef helpdesk"…), each trusted `roleTrust` times its source.
    func roleVariants(_ variants: [(words: [String], trust: Double)]) -> [(words: [String], trust: Double)] {
        let words = model.role.interchangeableWords
        let interchangeable = Set(words)
        var seen = Set(variants.map { $0.words })
        var result: [(words: [String], trust: Double)] = []
        for variant in variants {
            for (i, word) in variant.words.enumerated() where interchangeable.contains(word) {
                for other in words where other != word {
                    var substituted = variant.words
                    substituted[i] = other
                    guard seen.insert(substituted).inserted else { continue }
                    result.append((substituted, variant.trust * model.retrieval.roleTrust))
                    if result.count >= Self.maximumRoleVariants { return result }
                }
            }
        }
        return result
    }

    /// Most role variants of one query.
    static let maximumRoleVariants = 24

    /// The title-key sub-queries. A posting's title keeps its say against the mass of its
    /// body's words; a ROME title counts only where it explains more of the query than every
    /// card's own appellation does (the cards' own titles always lead).
    func titleKeyQueries(_ own: [String: Double], _ romeShares: [String: Double], plan: QueryPlan, posting: Bool, mode: SearchRequest.Mode) throws -> [Query] {
        let bodyScale = posting && plan.words.contains { $0.inHead } ? max(1, Double(plan.words.count) / 6) : 1
        let weight = (model.retrieval.titleKeyWeight[mode.rawValue] ?? 0) * bodyScale
        var ownShare = 0.0
        if !romeShares.isEmpty {
            for (key, share) in own where share > ownShare {
                if try database.termFrequency(TermPrefix.titleKey.rawValue + key) > 0 { ownShare = share }
            }
        }
        var parts: [Query] = []
        for (key, share) in own.sorted(by: { $0.key < $1.key }) where exists(TermPrefix.titleKey.rawValue + key) {
            parts.append(try Query(term: TermPrefix.titleKey.rawValue + key).scaled(by: weight * share * share))
        }
        for (key, share) in romeShares.sorted(by: { $0.key < $1.key }) where share > ownShare && exists(TermPrefix.romeTitleKey.rawValue + key) {
            parts.append(try Query(term: TermPrefix.romeTitleKey.rawValue + key).scaled(by: model.retrieval.romeTitleKeyShare * weight * share * share))
        }
        return parts
    }

    /// Phrases are requirements; the words rank among the cards that have them.
    func requirePhrases(_ parsed: QueryText, ranking parts: [Query], weights: [(TermPrefix, Double)]) throws -> Query {
        var phraseQueries: [Query] = []
        for phrase in parsed.phrases {
            let stems = phrase.filter { !FrenchWords.isStopword($0.word) }.map { analyzer.stem($0.word) }
            guard !stems.isEmpty else { continue }
            var perField: [Query] = []
            for (prefix, weight) in weights {
                let terms = try stems.map { stem throws(XapianError) in try Query(term: prefix.rawValue + stem) }
                // The window counts the function words between (they keep their positions).
                let phraseQuery = terms.count == 1 ? terms[0] : try Query(.phrase(window: UInt32(phrase.count)), terms)
                perField.append(try phraseQuery.scaled(by: weight))
            }
            phraseQueries.append(try Query(.or, perField))
        }
        if phraseQueries.isEmpty { return try Query(.or, parts) }
        if parts.isEmpty { return try Query(.and, phraseQueries) }
        return try Query(.andMaybe, [try Query(.and, phraseQueries), try Query(.or, parts)])
    }

    /// Leaves out the cards that contain an excluded word in any text field (each distinct
    /// stem once, so the query grows with the distinct words, not their repetitions).
    func exclude(_ parsed: QueryText, from query: Query) throws -> Query {
        var stems: [String] = []
        var seen = Set<String>()
        for token in parsed.excluded where !FrenchWords.isStopword(token.word) {
            let stem = analyzer.stem(token.word)
            if seen.insert(stem).inserted { stems.append(stem) }
        }
        guard !stems.isEmpty else { return query }
        var excluded: [Query] = []
        for stem in stems {
            for prefix in TermPrefix.textFields { excluded.append(try Query(term: prefix.rawValue + stem)) }
        }
        return try Query(.andNot, [query, try Query(.or, excluded)])
    }
}
