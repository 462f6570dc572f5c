/// A query as a user typed it, split into what to look for.
///
/// The syntax is deliberately small, because users type job titles and paste postings, not
/// search expressions:
/// - words are searched with OR semantics and ranked;
/// - `"a phrase"` must match as a phrase;
/// - `-word` (a minus before a word, at the start or after a space) excludes cards with it.
///
/// Anything else is text. An unbalanced double quote is a syntax error (the user most likely
/// meant a phrase and the answer would silently be something else).
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
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public var column: Int
        public var message: String
        public var description: String { "\(message) (column \(column))" }
    }

    /// Parses `text`.
    public static func parse(_ text: String) throws(SyntaxError) -> QueryText {
        var result = QueryText()
        var plain = ""
        var inPhrase = false
        var phraseStart = 0
        var current = ""
        var column = 0
        var previous: Character = " "
        var chars = Array(text)
        // Treat typographic double quotes as straight ones.
        for i in chars.indices where chars[i] == "\u{201C}" || chars[i] == "\u{201D}" || chars[i] == "\u{00AB}" || chars[i] == "\u{00BB}" {
            chars[i] = "\""
        }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            column += 1
            if c == "\"" {
                if inPhrase {
                    let tokens = Tokenizer.tokenize(current)
                    if !tokens.isEmpty { result.phrases.append(tokens) }
                    current = ""
                } else {
                    phraseStart = column
                }
                inPhrase.toggle()
                plain.append(" ")
            } else if inPhrase {
                current.append(c)
            } else if c == "-" && (previous == " " || previous == "\t" || i == 0) && i + 1 < chars.count && chars[i + 1].isLetter {
                // Excluded word: up to the next whitespace.
                var j = i + 1
                var word = ""
                while j < chars.count && !chars[j].isWhitespace && chars[j] != "\"" {
                    word.append(chars[j])
                    j += 1
                }
                result.excluded += Tokenizer.tokenize(word)
                column += j - i - 1
                i = j
                previous = " "
                plain.append(" ")
                continue
            } else {
                plain.append(c)
            }
            previous = c
            i += 1
        }
        if inPhrase {
            throw SyntaxError(column: phraseStart, message: "unbalanced double quote: a phrase opened here is never closed")
        }
        result.words = Tokenizer.tokenize(plain)
        return result
    }
}
