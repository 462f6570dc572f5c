import MetiersProtocol

extension Rendering {
    /// `suggest`'s titles, best first: each with its card (`none` and the ROME code for a title
    /// of another trade) and where it comes from.
    public static func suggestions(_ response: Response) -> String {
        guard case .suggest(let body) = response.body else { return "" }
        if body.suggestions.isEmpty { return "no title starts so\n" }
        let rows = body.suggestions.enumerated().map { index, s -> [String] in
            [String(index + 1), s.title, s.card ?? "none", s.rome ?? "-", s.source.rawValue]
        }
        return table(header: ["#", "title", "card", "rome", "source"], rows: rows)
    }
}
