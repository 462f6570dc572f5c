import MetiersSchema
import MetiersText

/// The word a person would recognise for each stem of the cards' text: of the words the cards
/// write that stem to, the most frequent, as written (accents kept), lower-cased unless the
/// cards write it in capitals (`SQL`). Ties go to the shorter word, then to alphabetical order.
/// Made once per open index from the card profiles (when they are made at open; for a larger
/// index, `CardProfile.word(for:)` gives the matched card's own word); `similar` shows its
/// shared terms with it.
struct StemWords {
    private let words: [String: String]

    init(profiles: [CardProfile]) {
        var counts: [String: [String: Int]] = [:]
        for profile in profiles {
            for item in profile.items {
                let scalars = Array(item.text.unicodeScalars)
                for term in item.terms {
                    guard let word = Self.written(term, in: scalars) else { continue }
                    counts[term.stem, default: [:]][word, default: 0] += 1
                }
            }
        }
        words = counts.mapValues { forms in
            forms.min { a, b in
                if a.value != b.value { return a.value > b.value }
                if a.key.count != b.key.count { return a.key.count < b.key.count }
                return a.key < b.key
            }!.key
        }
    }

    /// A term's word as its text writes it, as shown; nil for offsets outside the text.
    static func written(_ term: AnalysedTerm, in scalars: [Unicode.Scalar]) -> String? {
        guard term.start >= 0, term.end <= scalars.count, term.start < term.end else { return nil }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[term.start..<term.end])
        return shown(String(view))
    }

    /// A word as shown: lower-cased, unless it is written all in capitals (an acronym).
    static func shown(_ word: String) -> String {
        let letters = word.unicodeScalars.filter { $0.properties.isAlphabetic }
        if letters.count >= 2 && letters.allSatisfy({ $0.properties.isUppercase }) { return word }
        return word.lowercased()
    }

    /// The word for `stem`; the stem itself when no card writes it (a ROME title's word).
    func word(for stem: String) -> String { words[stem] ?? stem }
}
