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
    /// Ordered longest first; applied as `folded` says.
    static let feminineEndings: [(String, String)] = [
        ("trices", "teurs"), ("trice", "teur"), ("euses", "eurs"), ("euse", "eur"),
        ("iennes", "iens"), ("ienne", "ien"), ("eures", "eurs"), ("eure", "eur"),
        ("ieres", "iers"), ("iere", "ier"), ("eres", "ers"), ("ere", "er"), ("ffes", "fs"), ("ffe", "f"),
    ]

    /// The masculine form of a folded word when it ends like a feminine job title.
    public static func masculine(_ word: String) -> String {
        folded(word, endings: feminineEndings) ?? word
    }

    /// The word with the first of `endings` it ends with replaced; nil when none applies. Words
    /// under 5 letters are left alone, and a stem of at least 3 letters is kept ("cheffe" is 6
    /// letters, "ingenieure" 10).
    private static func folded(_ word: String, endings: [(String, String)]) -> String? {
        let count = word.utf8.count
        guard count >= 5 else { return nil }
        for (feminine, masculine) in endings where word.hasSuffix(feminine) && count - feminine.utf8.count >= 3 {
            return String(word.dropLast(feminine.count)) + masculine
        }
        return nil
    }

    /// Feminine endings that other words share: "-ante", "-ente", "-inte" ("consultante",
    /// "référente", "adjointe"; but "expérimenté"), "-erte" ("experte"), "-ale" ("commerciale";
    /// but "scandale"), "-elle" ("fonctionnelle"; but "passerelle"), "-ée" ("chargée"; but
    /// "donnée"). Folding them on both sides would merge those words in the index, so a title
    /// is read both as typed and with these folded (`agreementFolded`). Longest first.
    static let agreementEndings: [(String, String)] = [
        ("elles", "els"), ("elle", "el"), ("ntes", "nts"), ("nte", "nt"), ("rtes", "rts"), ("rte", "rt"),
        ("ales", "als"), ("ale", "al"), ("ees", "es"), ("ee", "e"),
    ]

    /// The folded word with a feminine agreement ending made masculine ("consultante" →
    /// "consultant", "chargee" → "charge", "commerciales" → "commercials"); nil when none
    /// applies. Same length rules as `masculine`.
    public static func agreementFolded(_ word: String) -> String? {
        folded(word, endings: agreementEndings)
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
