import MetiersText

/// The order-free key of a job title: its content words, folded, in the masculine singular,
/// sorted, duplicates removed, joined by "_". Two titles with the same words in any order,
/// gender, number, case or accent have the same key. Words are not stemmed: stems merge words
/// that titles keep apart ("product manager" and "production manager" both stem to
/// "product manag"). Words that say nothing about the job (H/F, seniority, contract) are left
/// out, unless nothing else would remain.
public enum TitleKey {
    /// Longest key indexed, in bytes (Xapian terms are limited to 245).
    public static let maximumLength = 200

    /// The content words of a title, normalised, noise words removed (unless only noise remains).
    public static func words(of title: String) -> [String] {
        let words = Tokenizer.tokenize(title).map(\.word).filter { !FrenchWords.isStopword($0) }
        let content = words.filter { !JobNoise.isTitleNoise($0) }
        return (content.isEmpty ? words : content).map(normalise)
    }

    /// A folded word in the masculine singular: `développeuses` → `developpeur`,
    /// `réseaux` → `reseau`, `affaires` → `affaire`.
    public static func normalise(_ word: String) -> String {
        var w = FrenchWords.masculine(word)
        if w.utf8.count > 3, let last = w.last, last == "s" || last == "x", !w.hasSuffix("ss") {
            w.removeLast()
        }
        return w
    }

    /// The title form of a word read as masculine where its ending may be a feminine
    /// agreement (`FrenchWords.agreementFolded`: "consultante" → "consultant", "chargée" →
    /// "charge"); nil when that reading is the word's own title form. A query's title is
    /// matched both ways; the index keeps the words as written.
    public static func masculineReading(_ word: String) -> String? {
        guard let folded = FrenchWords.agreementFolded(word) else { return nil }
        let reading = normalise(folded)
        return reading == normalise(word) ? nil : reading
    }

    /// The distinct keys of some titles that an index can hold (not empty, not too long), each
    /// with the words it is made of, in the titles' order.
    public static func indexable(_ titles: [String]) -> [(key: String, words: [String])] {
        var seen = Set<String>()
        var result: [(key: String, words: [String])] = []
        for title in titles {
            let words = TitleKey.words(of: title)
            let key = TitleKey.key(words)
            if !key.isEmpty && key.utf8.count <= maximumLength && seen.insert(key).inserted { result.append((key, words)) }
        }
        return result
    }

    /// The key of a set of normalised words.
    public static func key(_ words: some Sequence<String>) -> String {
        Set(words).sorted().joined(separator: "_")
    }

    /// The titles a label stands for: itself, its " / "-separated alternatives when each has
    /// at least two words ("Ingénieur progiciel / Ingénieur intégration"), and the label
    /// without a trailing parenthesis ("Consultant Maîtrise d'Ouvrage (Maître d'Ouvrage)").
    public static func variants(of label: String) -> [String] {
        var result = [label]
        let parts = label.split(separator: " / ").map { String($0) }
        if parts.count > 1 && parts.allSatisfy({ $0.split(separator: " ").count >= 2 }) {
            result += parts
        }
        if label.hasSuffix(")"), let open = label.lastIndex(of: "("), open > label.startIndex {
            result.append(String(label[..<open]))
        }
        return result
    }
}
