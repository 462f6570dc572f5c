/// A word of analysed text: folded (lower-case, accent-free), elisions removed, inclusive
/// suffixes dropped, and its place in the text.
public struct Token: Equatable, Sendable {
    /// The folded word ("developpeur").
    public var word: String
    /// 1-based position among the words of the text (for phrases).
    public var position: UInt32
    /// Unicode-scalar offsets of the word in the original text, `[start, end)`.
    public var start: Int
    public var end: Int
}

/// French tokenisation, identical for indexing and querying.
///
/// - Unicode folding (see `Folding`): case, accents, ligatures, typographic apostrophes.
/// - Elision split: `l'`, `d'`, `j'`, `m'`, `n'`, `s'`, `t'`, `c'`, `qu'`, `jusqu'`, `lorsqu'`,
///   `puisqu'`, `quoiqu'` are dropped (`l'infrastructure` → `infrastructure`).
/// - Hyphens and other punctuation separate words (`avant-vente` → `avant`, `vente`); `c++`,
///   `c#` and `.net` keep their signs.
/// - Inclusive writing keeps the base form: `consultant·e`, `développeur.euse`,
///   `ingénieur(e)`, `administrateur·rice` → `consultant`, `developpeur`, `ingenieur`,
///   `administrateur`.
public enum Tokenizer {
    static let elidedPrefixes: Set<String> = [
        "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
    ]

    /// Suffixes written after a middle dot, a dot, a slash or in brackets in inclusive writing.
    static let inclusiveSuffixes: Set<String> = [
        "e", "es", "se", "ses", "euse", "euses", "rice", "rices", "trice", "trices", "ne", "nes",
        "ere", "eres", "le", "les", "te", "tes", "fe", "ve", "ice",
    ]

    @inline(__always)
    static func isWordScalar(_ v: UInt32) -> Bool {
        (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39)
            || (v >= 0xC0 && v != 0xD7 && v != 0xF7 && v != 0x2019 && v != 0x2018 && v != 0xB7
                && v != 0x2022 && v != 0x22C5 && v != 0xA0 && v != 0x202F && v < 0x2000)
    }

    /// The tokens of `text`.
    /// The string of some scalars, written as UTF-8 in place (no intermediate scalar view).
    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(unsafeUninitializedCapacity: scalars.count * 4) { buffer in
            var n = 0
            for scalar in scalars {
                UTF8.encode(scalar) { byte in
                    buffer[n] = byte
                    n += 1
                }
            }
            return n
        }
    }

    public static func tokenize(_ text: String) -> [Token] {
        // Fold scalar by scalar, keeping for each folded scalar the offset of its source scalar.
        var folded: [Unicode.Scalar] = []
        var sourceOffset: [Int] = []
        folded.reserveCapacity(text.unicodeScalars.count)
        sourceOffset.reserveCapacity(text.unicodeScalars.count)
        var offset = 0
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                // ASCII folds to itself, lower-cased (as `Folding.appendFolded`), without a buffer.
                folded.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 0x20)) : scalar)
                sourceOffset.append(offset)
                offset += 1
                continue
            }
            var one = String.UnicodeScalarView()
            Folding.appendFolded(scalar, to: &one)
            for s in one {
                folded.append(s)
                sourceOffset.append(offset)
            }
            offset += 1
        }
        sourceOffset.append(offset)

        var tokens: [Token] = []
        var position: UInt32 = 0
        var i = 0
        let n = folded.count
        while i < n {
            guard isWordScalar(folded[i].value) else { i += 1; continue }
            let start = i
            while i < n && isWordScalar(folded[i].value) { i += 1 }
            var end = i
            var word = string(folded[start..<end])

            // Elision: "l'", "qu'" ... followed by a word.
            if i + 1 < n && folded[i] == "'" && isWordScalar(folded[i + 1].value) && elidedPrefixes.contains(word) {
                i += 1
                continue
            }
            // Programming languages: c++, c#, f#.
            if i < n && (folded[i] == "+" || folded[i] == "#") && word.unicodeScalars.count <= 2 {
                if folded[i] == "#" {
                    word += "#"
                    i += 1
                } else if i + 1 < n && folded[i + 1] == "+" {
                    word += "++"
                    i += 2
                }
                end = i
            }
            // Inclusive writing: word·e, word.euse, word/rice, word(e).
            if i + 1 < n {
                let mark = folded[i]
                if mark == "\u{00B7}" || mark == "\u{2022}" || mark == "\u{22C5}" || mark == "." || mark == "/" || mark == "(" || mark == "-" {
                    var j = i + 1
                    while j < n && isWordScalar(folded[j].value) { j += 1 }
                    let suffix = string(folded[(i + 1)..<j])
                    let closes = mark != "(" || (j < n && folded[j] == ")")
                    let attached = j == n || !isWordScalar(folded[j].value)
                    // A dot, slash or hyphen counts only when the suffix is clearly a gender mark
                    // (avoid eating "e" in "e-commerce" or a sentence end: require a known suffix
                    // and, for "." and "-", a word of at least 4 letters before it).
                    let longEnough = word.unicodeScalars.count >= 4
                    if j > i + 1 && closes && attached && inclusiveSuffixes.contains(suffix)
                        && (mark == "\u{00B7}" || mark == "\u{2022}" || mark == "\u{22C5}" || mark == "(" || longEnough)
                        && !(mark == "-" && suffix != "e" && suffix != "euse" && suffix != "rice" && suffix != "trice")
                    {
                        i = mark == "(" ? j + 1 : j
                    }
                }
            }
            position += 1
            tokens.append(Token(word: word, position: position, start: sourceOffset[start], end: sourceOffset[end]))
        }
        return tokens
    }
}
