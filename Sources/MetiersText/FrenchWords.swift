/// Word-level French rules applied after tokenisation and before stemming, the same on both
/// sides of the index.
public enum FrenchWords {
    /// Function words that carry no meaning for search. They keep their position (phrases still
    /// work) but make no term of their own.
    public static let stopwords: Set<String> = [
        "a", "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle",
        "en", "et", "eux", "il", "ils", "je", "la", "le", "les", "leur", "leurs", "lui", "ma",
        "mais", "me", "meme", "mes", "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou",
        "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "ta", "te",
        "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "y", "d", "l", "est",
        "sont", "etre", "ete", "the", "of", "and", "to", "in", "for", "an", "or", "selon",
        "afin", "ainsi", "tout", "tous", "toute", "toutes", "lors", "entre", "via", "etc", "soit",
        "avez", "etes", "sera", "peut", "peuvent", "doit", "dont", "aussi", "bien", "tres",
        // "au sein de", "chez": where the job is, never what it is.
        "sein", "chez",
    ]

    /// Feminine job-title endings folded to the masculine before stemming, so that
    /// `développeuse`, `administratrice`, `technicienne`, `conseillère` and `cheffe` meet
    /// `développeur`, `administrateur`, `technicien`, `conseiller` and `chef`.
    /// Ordered longest first; applied to folded words of at least 6 letters.
    static let feminineEndings: [(String, String)] = [
        ("trices", "teurs"), ("trice", "teur"), ("euses", "eurs"), ("euse", "eur"),
        ("iennes", "iens"), ("ienne", "ien"), ("eures", "eurs"), ("eure", "eur"),
        ("ieres", "iers"), ("iere", "ier"), ("eres", "ers"), ("ere", "er"), ("ffes", "fs"), ("ffe", "f"),
    ]

    /// The masculine form of a folded word when it ends like a feminine job title.
    public static func masculine(_ word: String) -> String {
        let count = word.utf8.count
        guard count >= 5 else { return word }
        for (feminine, masculine) in feminineEndings where word.hasSuffix(feminine) {
            // "cheffe" is 6 letters, "ingenieure" 10: keep a stem of at least 3 letters.
            guard count - feminine.utf8.count >= 3 else { continue }
            return String(word.dropLast(feminine.count)) + masculine
        }
        return word
    }

    /// The feminine forms of a masculine job word, the reverse of `masculine`:
    /// `developpeur` → `developpeuse`, `developpeure`; `technicien` → `technicienne`. Only
    /// forms that `masculine` folds back to the word; none for a word without such an ending.
    public static func feminineForms(of word: String) -> [String] {
        var result: [String] = []
        for (feminine, masculine) in feminineEndings where word.hasSuffix(masculine) && !masculine.hasSuffix("s") {
            let candidate = String(word.dropLast(masculine.count)) + feminine
            if Self.masculine(candidate) == word && !result.contains(candidate) { result.append(candidate) }
        }
        return result
    }

    public static func isStopword(_ word: String) -> Bool { stopwords.contains(word) }
}
