import MetiersText

/// A line of the vocabulary file that cannot be read.
public struct VocabularyError: Error, CustomStringConvertible, Equatable {
    public var line: Int
    public var message: String
    public var description: String { "vocabulary line \(line): \(message)" }
}

/// The sector's synonyms and abbreviations (`Config/vocabulary.txt`), loaded into Xapian's
/// synonym table at index time.
///
/// Format: one entry a line, `expansion = alias, alias, …`: each alias (a word or several)
/// found in a query is also searched as the expansion. `#` starts a comment; blank lines are
/// ignored. Both sides go through the same French analysis as the cards, so accents, case,
/// elisions and feminine forms don't matter.
///
///     assistance maîtrise d'ouvrage = amoa, moa
///     administrateur systèmes = admin sys, sysadmin
public struct Vocabulary: Sendable, Equatable {
    /// (expansion, aliases) in file order.
    public var entries: [(expansion: String, aliases: [String])]

    public init(entries: [(expansion: String, aliases: [String])] = []) {
        self.entries = entries
    }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool {
        a.entries.elementsEqual(b.entries) { $0.expansion == $1.expansion && $0.aliases == $1.aliases }
    }

    /// Parses the vocabulary file's text.
    public static func parse(_ text: String) throws(VocabularyError) -> Vocabulary {
        var entries: [(expansion: String, aliases: [String])] = []
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingWhitespace
            if trimmed.isEmpty { continue }
            let sides = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard sides.count == 2 else {
                throw VocabularyError(line: number, message: "expected 'expansion = alias, alias', found \"\(trimmed)\"")
            }
            let expansion = sides[0].trimmingWhitespace
            let aliases = sides[1].split(separator: ",").map { $0.trimmingWhitespace }.filter { !$0.isEmpty }
            guard !expansion.isEmpty else { throw VocabularyError(line: number, message: "empty expansion before '='") }
            guard !aliases.isEmpty else { throw VocabularyError(line: number, message: "no alias after '='") }
            entries.append((expansion, aliases))
        }
        return Vocabulary(entries: entries)
    }

    /// The content, for the index version.
    public var fingerprint: String {
        entries.map { $0.expansion + "=" + $0.aliases.joined(separator: ",") }.joined(separator: "\n")
    }

    /// Synonym pairs as Xapian stores them, in two forms: for text, key = the alias's stems
    /// joined by spaces, synonyms = the expansions' stems; for title matching, key = "=" and
    /// the alias's title words (`TitleKey.normalise`), synonyms = the expansions' title words.
    func synonymEntries(analyzer: FrenchAnalyzer) -> [(String, [String])] {
        var table: [String: [String]] = [:]
        var order: [String] = []
        func add(_ key: String, _ target: String) {
            guard !key.isEmpty, !target.isEmpty, key != target else { return }
            if table[key] == nil { order.append(key) }
            if !(table[key]?.contains(target) ?? false) { table[key, default: []].append(target) }
        }
        for (expansion, aliases) in entries {
            let stems = analyzer.analyse(expansion).map(\.stem).joined(separator: " ")
            let words = Vocabulary.titleWords(expansion).joined(separator: " ")
            for alias in aliases {
                add(analyzer.analyse(alias).map(\.stem).joined(separator: " "), stems)
                let aliasWords = Vocabulary.titleWords(alias).joined(separator: " ")
                if !aliasWords.isEmpty { add(Vocabulary.titleKeyPrefix + aliasWords, words) }
            }
        }
        return order.map { ($0, table[$0]!) }
    }

    /// Prefix of the title-form synonym keys.
    public static let titleKeyPrefix = "="

    /// The words of a vocabulary phrase in title form: folded, function words out, normalised.
    public static func titleWords(_ text: String) -> [String] {
        Tokenizer.tokenize(text).map(\.word).filter { !FrenchWords.isStopword($0) }.map(TitleKey.normalise)
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
