/// Where the job title of a posting or self-description is: the words that say what the job
/// is, as opposed to what it does.
///
/// An introduction that opens the text (a sentence longer than a title, with no separator and
/// no marker: "Société de services de 250 personnes, nous accompagnons nos clients depuis
/// 2005.") is passed over, within the first 400 characters. Then three shapes, tried in order
/// within the next 100 characters:
/// 1. A head before a separator (`:`, ` - `, `|`, `–`, `—`, a line break):
///    "Administrateur systèmes Linux H/F : vous …". A head made only of lead-in words
///    ("Missions :", "Vos missions -", "Profil recherché :", "Description du poste |") is not
///    a title.
/// 2. A title after a recruiting or self-describing marker ("… recherche un(e) X pour …",
///    "Nous recrutons une X", "Rejoignez-nous en tant que X", "Je suis X depuis …"), up to the
///    first punctuation or linking word.
/// 3. None: the text has no title; it is read as a whole.
public enum PostingHead {
    /// Words that open a section of a posting rather than name the job.
    public static let leadInWords: Set<String> = [
        "mission", "missions", "vos", "votre", "nos", "notre", "profil", "recherche", "recherchee",
        "poste", "contexte", "description", "descriptif", "du", "de", "la", "le", "les", "des",
        "rejoignez", "rejoindre", "nous", "au", "sein", "objectif", "objectifs", "responsabilite",
        "responsabilites", "tache", "taches", "activite", "activites", "role", "offre", "entreprise",
        "presentation", "propos", "about", "job", "summary", "qui", "sommes", "principales",
        "principale", "attendu", "attendus", "environnement", "technique", "techniques", "quotidien",
        "en", "bref", "resume", "intitule", "detail", "details", "l", "d",
        // section labels further on ("Stack : Java, Kafka", "Avantages : RTT, mutuelle")
        "stack", "outils", "technologies", "competences", "avantages", "localisation", "lieu",
        "salaire", "remuneration", "langues", "contrat", "type", "experience", "horaires",
        "demarrage", "date", "qualites", "savoir", "etre", "pourquoi", "process", "processus",
    ]

    /// Marker words after which a title follows ("recherche", "recrutons", "suis", "tant que").
    static let markers: [[String]] = [
        ["recherche"], ["recherchons"], ["recherchent"], ["cherche"], ["cherchons"], ["recrute"],
        ["recrutons"], ["recrutent"], ["en", "tant", "que"], ["je", "suis"], ["poste", "de"],
    ]

    /// Words that end a title found after a marker.
    static let titleEnds: Set<String> = [
        "pour", "afin", "qui", "dans", "chez", "avec", "sur", "depuis", "au", "aux", "a", "en",
        "et", "ou", "vous", "dont", "sein", "pendant", "durant", "des",
    ]

    /// Articles skipped right after a marker.
    static let articles: Set<String> = ["un", "une", "le", "la", "les", "l", "d", "des", "notre", "nos", "son", "sa", "ses", "futur", "future"]

    /// Longest title after a marker, in words.
    static let maximumMarkedWords = 6

    /// Scalars of the text searched for a head or a marker.
    public static let window = 100

    /// Scalars of the text within which introductions are passed over.
    public static let introductionWindow = 400

    /// Most content words of a title: a longer sentence is no title.
    public static let maximumTitleWords = 8

    /// The `[start, end)` offsets (in Unicode scalars, as token offsets are) of the title of
    /// `text`, whose tokens are `tokens`; nil when the text has none.
    public static func title(of text: String, tokens: [Token]) -> Range<Int>? {
        let all = Array(text.unicodeScalars.prefix(introductionWindow + 2 * window))
        let start = introductionEnd(in: all, tokens: tokens)
        let tokens = start == 0 ? tokens : tokens.filter { $0.start >= start }
        let scalars = Array(all.prefix(start + 2 * window))
        // After an introduction, the head is the next sentence's, not one that spans two.
        let headEnd = min(scalars.count, start + window, start == 0 ? Int.max : sentenceEnd(in: scalars, from: start) ?? Int.max)
        if let end = separators(in: scalars[start..<headEnd]).first {
            let head = tokens.filter { $0.end <= end }
            let content = head.filter { !FrenchWords.isStopword($0.word) }
            if !content.isEmpty && !content.allSatisfy({ leadInWords.contains($0.word) }) {
                return start..<end
            }
            // A lead-in: the title, if any, follows a marker further on.
            let rest = tokens.filter { $0.start > end }
            return marked(in: rest, scalars: scalars)
        }
        return marked(in: tokens, scalars: scalars)
    }

    /// Where the introductions that open `text` end (0 when it opens with none): what comes
    /// before is about the employer, not the job.
    public static func introductionEnd(of text: String, tokens: [Token]) -> Int {
        introductionEnd(in: Array(text.unicodeScalars.prefix(introductionWindow + 2 * window)), tokens: tokens)
    }

    static func introductionEnd(in scalars: [Unicode.Scalar], tokens: [Token]) -> Int {
        var start = 0
        while let end = introduction(in: scalars, from: start, tokens: tokens) { start = end }
        return start
    }

    /// Where an introduction that opens the text at `start` ends (the next sentence's start):
    /// a sentence within `introductionWindow`, with no separator and no marker, and more content
    /// words than a title has. Nil when the text does not open so.
    static func introduction(in scalars: [Unicode.Scalar], from start: Int, tokens: [Token]) -> Int? {
        guard let end = sentenceEnd(in: scalars, from: start), end < introductionWindow,
            separators(in: scalars[start..<end]).isEmpty
        else { return nil }
        let sentence = tokens.filter { $0.start >= start && $0.end <= end }
        guard sentence.filter({ !FrenchWords.isStopword($0.word) }).count > maximumTitleWords, marked(in: sentence, scalars: scalars) == nil else { return nil }
        var next = end + 1
        while next < scalars.count && (scalars[next] == " " || scalars[next] == "\u{A0}") { next += 1 }
        return next
    }

    /// The offset of the first full stop, exclamation or question mark after `start` that ends
    /// a sentence (followed by a space or the end: not "2.5", "S.A.").
    static func sentenceEnd(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var i = start + 1
        while i < scalars.count {
            if scalars[i] == "." || scalars[i] == "!" || scalars[i] == "?", i + 1 == scalars.count || scalars[i + 1] == " " || scalars[i + 1] == "\u{A0}" {
                return i
            }
            i += 1
        }
        return nil
    }

    /// Where the head ends: the first separator within the first `window` scalars.
    public static func separator(in scalars: [Unicode.Scalar]) -> Int? {
        separators(in: scalars.prefix(window)).first
    }

    /// The offsets of every separator of `scalars`, in order.
    public static func separators(in scalars: ArraySlice<Unicode.Scalar>) -> [Int] {
        var result: [Int] = []
        for i in scalars.indices {
            let c = scalars[i]
            if c == ":" || c == "|" || c == "\n" || c == "\u{2013}" || c == "\u{2014}" {
                result.append(i)
            } else if c == "-" && i > scalars.startIndex && i + 1 < scalars.endIndex && scalars[i - 1] == " " && scalars[i + 1] == " " {
                result.append(i)
            }
        }
        return result
    }

    /// The words after the first marker among the first tokens, up to a linking word, a
    /// sentence end or `maximumMarkedWords`.
    static func marked(in tokens: [Token], scalars: [Unicode.Scalar]) -> Range<Int>? {
        guard let first = tokens.first else { return nil }
        let early = tokens.prefix { $0.start - first.start < window }
        let words = early.map(\.word)
        for i in words.indices {
            guard let marker = markers.first(where: { i + $0.count <= words.count && Array(words[i..<(i + $0.count)]) == $0 }) else { continue }
            var j = i + marker.count
            while j < early.count && articles.contains(words[j]) { j += 1 }
            let start = j
            while j < early.count && j - start < maximumMarkedWords && !titleEnds.contains(words[j]) {
                // Punctuation between two words ends the title (a space, hyphen or slash does not).
                if j > start && !joined(early[early.startIndex + j - 1].end, early[early.startIndex + j].start, scalars) { break }
                j += 1
            }
            guard j > start, early[early.startIndex + j - 1].end <= scalars.count else { return nil }
            return early[early.startIndex + start].start..<early[early.startIndex + j - 1].end
        }
        return nil
    }

    /// True when only spaces, hyphens, slashes and apostrophes stand between two offsets.
    static func joined(_ from: Int, _ to: Int, _ scalars: [Unicode.Scalar]) -> Bool {
        guard from <= to, to <= scalars.count else { return false }
        return scalars[from..<to].allSatisfy { $0 == " " || $0 == "-" || $0 == "/" || $0 == "'" || $0 == "\u{2019}" || $0 == "\u{A0}" }
    }
}
