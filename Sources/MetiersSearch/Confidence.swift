/// The confidence of a result: a logistic model over features that mean the same thing for
/// every query (unlike Xapian's weights and percentages, which are relative to the best hit).
///
/// Calibrated on the labelled dev files (`Scripts/calibrate.py`): the model is fitted so that
/// the confidence of a top result approximates the probability that it is right, and the
/// threshold is the lowest that leaves out-of-scope queries empty while keeping in-scope ones.
public enum Confidence {
    /// What the model looks at, for one result.
    public struct Features: Sendable, Equatable {
        /// Share of the query matched as an appellation of the card (1: exact title match).
        public var titleShare: Double
        /// Share of the query's content words found in the card (directly or via the vocabulary).
        public var coverage: Double
        /// Share of the query's content words found in the card's name and appellations.
        public var titleCoverage: Double
        /// This result's weight over the first result's.
        public var relativeWeight: Double
        /// (first weight − second weight) / first weight: how clearly the first result leads.
        public var margin: Double
        /// Content words in the query.
        public var queryWords: Int

        /// The features by name, for explanations and calibration.
        public var named: [String: Double] {
            ["title_share": titleShare, "coverage": coverage, "title_coverage": titleCoverage,
             "relative_weight": (relativeWeight * 1000).rounded() / 1000, "margin": (margin * 1000).rounded() / 1000,
             "query_words": Double(queryWords)]
        }
    }

    /// Model coefficients (intercept first, then the features of `vector`), fitted by
    /// Scripts/calibrate.py on the dev files with abstention off.
    static let coefficients: [Double] = [-1.270, 2.069, 1.221, 1.273, -0.000, 1.258, 0.341, -0.925, -0.001]

    /// When the first result's confidence is under this, the answer is empty ("match": "none");
    /// the highest threshold that leaves no more than 2% of each dev file's in-scope queries
    /// empty (Scripts/calibrate.py).
    public static let defaultThreshold = 0.53

    /// Results after the first are kept down to this share of the threshold.
    public static let keepShare = 0.1

    /// Content words from which a query is read as a posting rather than a title.
    public static let postingWords = 10

    /// The feature vector, in the order of `coefficients` (after the intercept).
    public static func vector(_ f: Features) -> [Double] {
        let posting: Double = f.queryWords >= postingWords ? 1 : 0
        return [
            f.titleShare, f.coverage, f.titleCoverage, f.relativeWeight, f.margin,
            Double(min(f.queryWords, 40)).squareRoot(), posting, posting * f.coverage,
        ]
    }

    /// Confidence in [0, 1]. The model is fitted on first results; a later result's confidence
    /// is scaled by its weight relative to the first, so it never exceeds the first's.
    public static func estimate(_ f: Features) -> Double {
        var z = coefficients[0]
        for (c, x) in zip(coefficients.dropFirst(), vector(f)) { z += c * x }
        let p = 1 / (1 + exp(-z)) * min(1, max(0, f.relativeWeight))
        return (p * 1000).rounded() / 1000
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
