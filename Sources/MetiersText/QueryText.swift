/// A query as a user typed it, split into what to look for.
///
/// The syntax is deliberately small, because users type job titles and paste postings, not
/// search expressions:
/// - words are searched with OR semantics and ranked;
/// - `"a phrase"` must match as a phrase;
/// - `-word` (a minus before a word, at the start or after a space) excludes cards with it.
///
/// Anything else is text. An unbalanced double quote is a syntax error (the user most likely
/// meant a phrase and the answer would silently be something else). The syntax is a search
/// box's: a job title (`map`) and a posting (`classify`) are read as written, their quotes
/// (« squad », "maison") and dashes being punctuation.
public struct QueryText: Equatable, Sendable {
    /// Free words, in order.
    public var words: [Token]
    /// Phrases, each with at least one word.
    public var phrases: [[Token]]
    /// Excluded words.
    public var excluded: [Token]

    public init(words: [Token] = [], phrases: [[Token]] = [], excluded: [Token] = []) {
        self.words = words
        self.phrases = phrases
        self.excluded = excluded
    }

    /// Every positive word: free words and phrase words.
    public var allWords: [Token] { words + phrases.flatMap { $0 } }

    /// A syntax error with the (1-based, in characters) column where it starts.
    public struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        public var column: Int
        public var message: String
        public var description: String { "\(message) (column \(column))" }
    }

    /// Parses `text`, with no bound on what it asks for (as written, without `syntax`).
    public static func parse(_ text: String, syntax: Bool = true) throws(SyntaxError) -> QueryText {
        do {
            return try parse(text, limits: .unlimited, syntax: syntax)
        } catch {
            switch error {
            case .syntax(let syntax): throw syntax
            case .limit: fatalError("no limit is exceeded without limits")
            }
        }
    }

    /// Parses `text` and checks it against `limits`. Once a limit is passed the rest of the text
    /// is only counted, not analysed, so a refusal costs one scan of the text. Without `syntax`
    /// the text is read as written (a job title, a posting): quotes and dashes are punctuation,
    /// and only `maxTerms` applies.
    public static func parse(_ text: String, limits: QueryLimits, syntax: Bool = true) throws(QueryTextError) -> QueryText {
        // Most queries and every ordinary posting have no syntax at all: their words are the
        // text's, without walking it character by character.
        if !syntax || !mayHaveSyntax(text) {
            let parser = Parser(plain: text, limits: limits)
            try parser.checkTerms()
            return parser.result
        }
        var parser = Parser(text: text, limits: limits)
        try parser.run()
        return parser.result
    }

    /// False when the text has no quote of any kind and no "-" at its start or after a space
    /// or tab: then the parser would copy it as it is (a conservative test on its bytes).
    static func mayHaveSyntax(_ text: String) -> Bool {
        var previous: UInt8 = 0x20
        var afterLead: UInt8 = 0
        // A "-" at the start or after a space or tab: an exclusion if a letter follows.
        var dash = false
        for byte in text.utf8 {
            if dash && (byte >= 0x80 || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)) { return true }
            dash = false
            switch byte {
            case 0x22: return true  // "
            case 0x2D where previous == 0x20 || previous == 0x09: dash = true
            // The condition is in the body: a `where` would bind the last pattern only.
            case 0x9C, 0x9D: if previous == 0x80 && afterLead == 0xE2 { return true }  // “ ”
            case 0xAB, 0xBB: if previous == 0xC2 { return true }  // « »
            default: break
            }
            afterLead = previous
            previous = byte
        }
        return false
    }

    /// The state of one parse.
    struct Parser {
        var chars: [Character]
        let limits: QueryLimits
        var result = QueryText()
        var plain = ""
        var phraseCount = 0
        var exclusionCount = 0
        /// The longest phrase over the limit, in words (0: none over it).
        var longestPhrase = 0
        /// A limit is passed: keep counting, stop analysing.
        var over = false

        /// A text without syntax: its words are all the query's.
        init(plain text: String, limits: QueryLimits) {
            chars = []
            self.limits = limits
            result.words = Tokenizer.tokenize(text)
        }

        init(text: String, limits: QueryLimits) {
            chars = Array(text)
            // Treat typographic double quotes as straight ones.
            for i in chars.indices where chars[i] == "\u{201C}" || chars[i] == "\u{201D}" || chars[i] == "\u{00AB}" || chars[i] == "\u{00BB}" {
                chars[i] = "\""
            }
            self.limits = limits
        }

        mutating func run() throws(QueryTextError) {
            var inPhrase = false
            var phraseStart = 0
            var current = ""
            var phraseHasWord = false
            var column = 0
            var previous: Character = " "
            var i = 0
            while i < chars.count {
                let c = chars[i]
                column += 1
                if c == "\"" {
                    if inPhrase { closePhrase(current, hasWord: phraseHasWord); current = "" } else { phraseStart = column }
                    inPhrase.toggle()
                    phraseHasWord = false
                    plain.append(" ")
                } else if inPhrase {
                    if !over { current.append(c) }
                    if !phraseHasWord && (c.isLetter || c.isNumber) { phraseHasWord = true }
                } else if c == "-" && (previous == " " || previous == "\t" || i == 0) && i + 1 < chars.count && chars[i + 1].isLetter {
                    // Excluded word: up to the next whitespace.
                    let j = exclusion(from: i + 1)
                    column += j - i - 1
                    i = j
                    previous = " "
                    plain.append(" ")
                    continue
                } else if !over {
                    plain.append(c)
                }
                previous = c
                i += 1
            }
            if inPhrase {
                throw .syntax(SyntaxError(column: phraseStart, message: "unbalanced double quote: a phrase opened here is never closed"))
            }
            try checkCounts()
            result.words = Tokenizer.tokenize(plain)
            try checkTerms()
        }

        /// A phrase's text ends: counted (when it holds a letter or digit), and analysed while no
        /// limit is passed.
        mutating func closePhrase(_ text: String, hasWord: Bool) {
            guard hasWord else { return }
            phraseCount += 1
            if phraseCount > limits.maxPhrases { over = true }
            guard !over else { return }
            let tokens = Tokenizer.tokenize(text)
            if tokens.count > limits.maxPhraseWords {
                longestPhrase = tokens.count
                over = true
            } else if !tokens.isEmpty {
                result.phrases.append(tokens)
            }
        }

        /// An exclusion starting at `start` (after its minus): counted, analysed while no limit is
        /// passed; returns where it ends.
        mutating func exclusion(from start: Int) -> Int {
            var j = start
            var word = ""
            while j < chars.count && !chars[j].isWhitespace && chars[j] != "\"" {
                if !over { word.append(chars[j]) }
                j += 1
            }
            exclusionCount += 1
            if exclusionCount > limits.maxExclusions { over = true }
            if !over { result.excluded += Tokenizer.tokenize(word) }
            return j
        }

        func checkCounts() throws(QueryTextError) {
            if phraseCount > limits.maxPhrases {
                throw .limit(QueryLimitExceeded(limit: .phrases, maximum: limits.maxPhrases, found: phraseCount))
            }
            if longestPhrase > 0 {
                throw .limit(QueryLimitExceeded(limit: .phraseWords, maximum: limits.maxPhraseWords, found: longestPhrase))
            }
            if exclusionCount > limits.maxExclusions {
                throw .limit(QueryLimitExceeded(limit: .exclusions, maximum: limits.maxExclusions, found: exclusionCount))
            }
        }

        func checkTerms() throws(QueryTextError) {
            guard limits.maxTerms < Int.max else { return }
            var distinct = Set<String>()
            for token in result.words + result.phrases.joined() + result.excluded where !FrenchWords.isStopword(token.word) {
                distinct.insert(token.word)
            }
            if distinct.count > limits.maxTerms {
                throw .limit(QueryLimitExceeded(limit: .terms, maximum: limits.maxTerms, found: distinct.count))
            }
        }
    }
}

/// Bounds on what one query may ask for, so that no query costs more than a bounded amount of
/// work: each is refused with its own error code, naming the limit and the value.
public struct QueryLimits: Equatable, Sendable {
    /// Quoted phrases (`max_phrases`).
    public var maxPhrases: Int
    /// Words in one phrase, function words included (`max_phrase_words`).
    public var maxPhraseWords: Int
    /// `-word` exclusions (`max_exclusions`).
    public var maxExclusions: Int
    /// Distinct content words over the whole query: free words, phrase words and exclusions,
    /// function words not counted (`max_terms`).
    public var maxTerms: Int

    public init(maxPhrases: Int = 16, maxPhraseWords: Int = 12, maxExclusions: Int = 32, maxTerms: Int = 2_000) {
        self.maxPhrases = maxPhrases
        self.maxPhraseWords = maxPhraseWords
        self.maxExclusions = maxExclusions
        self.maxTerms = maxTerms
    }

    /// No bound at all (what `QueryText.parse(_:)` applies).
    public static let unlimited = QueryLimits(maxPhrases: .max, maxPhraseWords: .max, maxExclusions: .max, maxTerms: .max)
}

/// A query over one of its limits.
public struct QueryLimitExceeded: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Limit: String, Sendable {
        case phrases = "max_phrases"
        case phraseWords = "max_phrase_words"
        case exclusions = "max_exclusions"
        case terms = "max_terms"
    }

    /// Which limit (its name is the configuration key under `[limits]`).
    public var limit: Limit
    /// The limit's value.
    public var maximum: Int
    /// What the query has.
    public var found: Int

    public var description: String {
        switch limit {
        case .phrases: "the query has \(found) quoted phrases; at most \(maximum) are accepted (\(limit.rawValue))"
        case .phraseWords: "a quoted phrase of the query has \(found) words; at most \(maximum) are accepted (\(limit.rawValue))"
        case .exclusions: "the query has \(found) -word exclusions; at most \(maximum) are accepted (\(limit.rawValue))"
        case .terms: "the query has \(found) distinct words; at most \(maximum) are accepted (\(limit.rawValue))"
        }
    }
}

/// Why a query could not be parsed under its limits.
public enum QueryTextError: Error, Equatable, Sendable {
    case syntax(QueryText.SyntaxError)
    case limit(QueryLimitExceeded)
}
