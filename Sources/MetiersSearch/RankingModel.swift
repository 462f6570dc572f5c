#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersSchema
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every weight, threshold and word list the search pipeline uses, in one value.
///
/// The committed model is `Config/ranking-model.json`, written by `Scripts/fit` with the data,
/// the date and the cross-validated figures it was fitted with. `metiers-index` stores it in
/// the index (so a daemon serves the model its index was built with); `metiersd
/// --ranking-model FILE` overrides it, which is how the fitting script tries retrieval settings.
/// The stages read their constants from here and from nowhere else.
public struct RankingModel: Codable, Sendable, Equatable {
    /// How the Xapian query is composed and run.
    public struct Retrieval: Codable, Sendable, Equatable {
        public var bm25K1: Double
        /// Length normalisation: a card's length is the richness of its text, not verbosity.
        public var bm25B: Double
        /// Per mode (`search`, `title`), per field name (`title`, `activites`, …), the weight of a match.
        public var fieldWeights: [String: [String: Double]]
        /// Per mode, the weight of an exact title-key match (scaled by the square of its share).
        public var titleKeyWeight: [String: Double]
        /// Weight of a posting's title words relative to its body's.
        public var headWeight: Double
        /// Weight of a vocabulary expansion relative to a word the user typed.
        public var expansionWeight: Double
        /// Trust in a title variant that comes from the vocabulary rather than the user's words.
        public var expansionTrust: Double
        /// Trust in a title variant where one managing word stands for another ("manager
        /// helpdesk" read as "responsable helpdesk"), relative to the variant it comes from.
        public var roleTrust: Double
        /// Weight of an attributed ROME title key relative to a card's own appellation.
        public var romeTitleKeyShare: Double
        /// Candidates Xapian ranks before the decision.
        public var candidates: Int
        /// Candidates explained (features computed) and reranked by confidence, at least.
        public var explained: Int
        /// Queries with more content words than this are not matched against titles as a whole.
        public var maximumTitleWords: Int
        /// Content words from which a query is read as a posting rather than a title.
        public var postingWords: Int
        /// A shorter text is a posting too when its head ("Comptable H/F : …") is followed by
        /// at least this many content words that are not posting noise (pay, places, contract):
        /// a title, then a body, is a posting's shape whatever its length.
        public var postingBodyWords: Int
        /// The sector's own words ("informatique"): every card is of the sector, so one whose
        /// title happens to write such a word ("Assistant micro-informatique") is not the
        /// better for a query that does ("Responsable informatique"). They match the cards'
        /// text but not their titles word by word; whole title keys and ROME's evidence (where
        /// they say a job is IT) keep them. Nil in a model written before them (an index built
        /// by an earlier version is served as it was built).
        public var sectorWords: [String]?
    }

    /// The logistic model that turns a candidate's named features into a probability of being right.
    public struct Confidence: Codable, Sendable, Equatable {
        public var intercept: Double
        /// Feature name → coefficient; a feature a candidate lacks counts 0.
        public var weights: [String: Double]
    }

    /// Which of the deciding words of a ROME title must be mostly outside the cards' codes.
    public enum WordRule: String, Codable, Sendable, Equatable {
        case every
        case any
    }

    /// When the answer is "none".
    public struct Decision: Codable, Sendable, Equatable {
        /// A title query whose best candidate is under this confidence answers "none" (a posting
        /// never does on confidence alone).
        public var threshold: Double
        /// Results after the first are kept down to this share of the threshold.
        public var keepShare: Double
        /// How much a ROME title-key match of a card counts as a title match.
        public var romeTitleTrust: Double
        /// A ROME title outside the cards' codes makes the answer "none" when it explains at
        /// least this share of the query's title …
        public var outsideQuality: Double
        /// … this much more than the best card's title match and the best in-scope ROME title …
        public var outsideLead: Double
        /// … through words under this share of whose ROME titles sit under the cards' codes …
        public var outsideWordShare: Double
        /// … every such word (`every`), or at least one (`any`).
        public var outsideWordRule: WordRule
        /// A "none" answer names the nearest ROME métier when its title explains this much.
        public var nearestQuality: Double
    }

    /// Who manages and who does: the title words that mark a managing role.
    public struct Role: Codable, Sendable, Equatable {
        /// Title words (folded, as `TitleKey.normalise` gives them) of a managing role.
        public var managingWords: [String]
        /// Words of a posting's body that say the job manages people.
        public var managingBodyWords: [String]
        /// Managing words that titles use for one another (manager, responsable, head, chef…):
        /// a title matches a card's appellation with one of them in place of another.
        public var interchangeableWords: [String]
    }

    public var retrieval: Retrieval
    public var confidence: Confidence
    public var decision: Decision
    public var role: Role

    /// A model read from its JSON (`Config/ranking-model.json`); unknown keys (the fitting
    /// script's record of data and figures) are ignored.
    public static func decode(_ data: [UInt8]) throws(SearchError) -> RankingModel {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let model: RankingModel
        do {
            model = try decoder.decode(RankingModel.self, from: Data(data))
        } catch {
            throw .indexUnavailable("the ranking model is not valid: \(error)")
        }
        try model.validate()
        return model
    }

    /// Checks what the stages rely on: both modes weighted, sane counts and shares.
    public func validate() throws(SearchError) {
        for mode in ["search", "title"] {
            guard let weights = retrieval.fieldWeights[mode], retrieval.titleKeyWeight[mode] != nil else {
                throw .indexUnavailable("the ranking model has no weights for mode '\(mode)'")
            }
            for name in weights.keys where TermPrefix.field(named: name) == nil {
                throw .indexUnavailable("the ranking model weights an unknown field '\(name)'")
            }
        }
        guard retrieval.candidates >= 1, retrieval.explained >= 1, retrieval.maximumTitleWords >= 1, retrieval.postingWords >= 2, retrieval.postingBodyWords >= 1 else {
            throw .indexUnavailable("the ranking model's candidates, explained, maximum_title_words, posting_words and posting_body_words must be positive")
        }
        guard (0...1).contains(decision.threshold), (0...1).contains(decision.keepShare) else {
            throw .indexUnavailable("the ranking model's threshold and keep_share must be in [0, 1]")
        }
    }

    /// The field weights of a mode, in the text fields' order.
    func fieldWeights(_ mode: SearchRequest.Mode) -> [(TermPrefix, Double)] {
        let named = retrieval.fieldWeights[mode.rawValue] ?? [:]
        return TermPrefix.textFields.map { ($0, named[$0.fieldName] ?? 0) }
    }

    /// The probability that a candidate with these features is right.
    func probability(_ features: [String: Double]) -> Double {
        var z = confidence.intercept
        for (name, weight) in confidence.weights { z += weight * (features[name] ?? 0) }
        return 1 / (1 + exp(-z))
    }
}

extension TermPrefix {
    /// The text field whose `fieldName` is `name`.
    static func field(named name: String) -> TermPrefix? {
        textFields.first { $0.fieldName == name }
    }
}
