import MetiersText
import MetiersXapian

/// A term of analysed text, ready for Xapian: the stem of a folded word, with its position.
public struct AnalysedTerm: Equatable, Sendable {
    /// Stem of the folded, masculine word (`developpeur`).
    public var stem: String
    /// The folded word before stemming (`developpeur` for `Développeuses`): spelling data.
    public var word: String
    /// 1-based position of the word in its text.
    public var position: UInt32
    /// Unicode-scalar offsets of the word in the original text.
    public var start: Int
    public var end: Int
}

/// The French analysis used by both the indexer and the query side: tokenisation and folding
/// (`Tokenizer`), feminine endings to masculine, stopwords out, Snowball French stemming of
/// every word whatever its case (Xapian's STEM_SOME would skip capitalised words; here words are
/// folded before they reach the stemmer).
///
/// Not thread-safe (it owns a Xapian stemmer and a cache): one per thread.
public final class FrenchAnalyzer {
    private let stemmer: Stemmer
    private var cache = BoundedCache<String, String>(capacity: 50_000)

    public init() throws(XapianError) {
        stemmer = try Stemmer(language: "french")
    }

    /// The stem of one folded word.
    public func stem(_ word: String) -> String {
        cache.value(for: word) { stemmer.stem(FrenchWords.masculine(word)) }
    }

    /// The terms of `text`, stopwords left out (their positions stay counted).
    public func analyse(_ text: String) -> [AnalysedTerm] {
        var terms: [AnalysedTerm] = []
        for token in Tokenizer.tokenize(text) where !FrenchWords.isStopword(token.word) {
            terms.append(AnalysedTerm(stem: stem(token.word), word: token.word, position: token.position, start: token.start, end: token.end))
        }
        return terms
    }
}
