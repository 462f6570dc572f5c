/// Why the referentiel text could not be imported: where the importer stopped, what it expected
/// there and what it found instead.
///
/// `description` reads as one sentence, for example:
/// `referentiel line 598: expected "Code(s) ROME" after the passerelles of card 'urbaniste', found "Emploi Type : Architecte technique"`.
public struct ImportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// 1-based line of the text where the problem was seen; 0 when no line applies.
    public var line: Int
    /// What the importer expected at that line, ready to print
    /// (`"Code(s) ROME" after the passerelles of card 'urbaniste'`).
    public var expected: String
    /// What it found, ready to print: the line quoted (shortened when very long), or
    /// `end of text` when the text stopped first.
    public var found: String

    /// `found` for a problem met at the end of the text.
    static let endOfText = "end of text"

    /// `found` for a line of text: quoted, and cut to 120 characters so that a huge malformed
    /// line does not make a huge message.
    static func quoted(_ text: some StringProtocol) -> String {
        let limit = 120
        let excerpt = text.count > limit ? String(text.prefix(limit)) + "…" : String(text)
        return "\"\(excerpt)\""
    }

    public var description: String {
        let place = line > 0 ? "referentiel line \(line)" : "referentiel"
        return "\(place): expected \(expected), found \(found)"
    }
}
