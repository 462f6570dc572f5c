/// A job title kept in the index for the title suggester: its text as the source writes it,
/// the card it leads to, its ROME code, and whether ROME flags it as rarely used.
public struct StoredTitle: Sendable, Equatable {
    public var title: String
    public var card: String?
    public var rome: String?
    public var rarelyUsed: Bool

    public init(title: String, card: String?, rome: String?, rarelyUsed: Bool = false) {
        (self.title, self.card, self.rome, self.rarelyUsed) = (title, card, rome, rarelyUsed)
    }
}

/// A stored title list that cannot be read back.
public struct StoredTitlesError: Error, CustomStringConvertible, Equatable {
    public var line: Int
    public var message: String
    public var description: String { "stored titles, line \(line): \(message)" }
}

/// The form of `MetadataKey.vocabularyTitles` and `MetadataKey.romeTitles`, shared by the
/// writer (`metiers-index`) and the reader (the suggester): one title a line,
/// `title<TAB>card<TAB>rome<TAB>flags`, an empty field for no card or no code, flags `r` for
/// rarely used. Plain lines rather than JSON: the 13,000 ROME titles are read at every open.
public enum StoredTitles {
    public static func encode(_ titles: [StoredTitle]) -> String {
        var out = ""
        for t in titles {
            // A tab or a line break in a title would shift the fields: they are spaces here.
            let title = String(t.title.map { $0 == "\t" || $0.isNewline ? " " : $0 })
            out += title + "\t" + (t.card ?? "") + "\t" + (t.rome ?? "") + "\t" + (t.rarelyUsed ? "r" : "") + "\n"
        }
        return out
    }

    public static func decode(_ text: String) throws(StoredTitlesError) -> [StoredTitle] {
        var result: [StoredTitle] = []
        var number = 0
        // Split on the bytes: 13,000 lines are read at every open, and neither sign is part of
        // a grapheme cluster with its neighbours in these lines.
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            number += 1
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { Substring($0) }
            guard fields.count == 4, !fields[0].isEmpty else {
                throw StoredTitlesError(line: number, message: "expected 4 tab-separated fields with a title, found \(fields.count)")
            }
            result.append(StoredTitle(
                title: String(fields[0]), card: fields[1].isEmpty ? nil : String(fields[1]), rome: fields[2].isEmpty ? nil : String(fields[2]),
                rarelyUsed: fields[3] == "r"))
        }
        return result
    }
}
