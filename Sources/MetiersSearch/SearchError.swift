import MetiersXapian

/// Why a search could not be answered. Each case maps to one stable protocol error code.
public enum SearchError: Error, CustomStringConvertible, Equatable {
    /// The query has no word to search for (empty, or only punctuation and function words).
    case emptyQuery
    /// The query's syntax is wrong (unbalanced quote, unknown field); the message says where.
    case querySyntax(String)
    /// No card has this id.
    case notFound(id: String)
    /// The index cannot be used: missing, corrupt, or of a schema this build does not know.
    case indexUnavailable(String)
    /// A reload could not open the new index (the old one is still served).
    case reloadFailed(String)
    /// Xapian failed while searching.
    case xapian(XapianError)
    /// ROME has no such code (well-formed, but unknown to ROME v460).
    case unknownRomeCode(String)
    /// The search ran past its time budget (`SearchRequest.deadline`) between two stages.
    case timeout(stage: String)

    public var description: String {
        switch self {
        case .emptyQuery: "the query has no word to search for"
        case .querySyntax(let message): message
        case .notFound(let id): "no emploi-type has the id '\(id)'"
        case .indexUnavailable(let message): message
        case .reloadFailed(let message): message
        case .xapian(let error): "search failed: \(error)"
        case .unknownRomeCode(let code): "ROME has no code '\(code)'"
        case .timeout(let stage): "the search ran past its time budget (before \(stage))"
        }
    }
}
