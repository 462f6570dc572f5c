#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MetiersProtocol
import MetiersSearch

/// Answers protocol requests against one opened index, without any socket: one line in, one
/// line out. The daemon keeps one per event-loop thread (a `SearchIndex` is not thread-safe);
/// tests drive it directly.
public final class RequestHandler {
    public let index: SearchIndex
    let logger: Logger
    let startedAt: ContinuousClock.Instant
    /// Results per page when a request gives no `limit`.
    let defaultLimit: Int

    public init(index: SearchIndex, defaultLimit: Int = 10, startedAt: ContinuousClock.Instant = .now, logger: Logger) {
        self.index = index
        self.defaultLimit = defaultLimit
        self.startedAt = startedAt
        self.logger = logger
    }

    /// The response line (without newline) for one request line (without newline).
    public func respond(toLine line: some Collection<UInt8>) -> [UInt8] {
        let response: Response
        switch Request.decode(line) {
        case .success(let request):
            response = respond(to: request)
        case .failure(let failure):
            logger.notice("bad request", metadata: ["code": "\(failure.error.code.rawValue)", "message": "\(failure.error.message)"])
            response = .failure(id: failure.id, op: nil, failure.error)
        }
        return encode(response)
    }

    /// The response to a decoded request.
    public func respond(to request: Request) -> Response {
        let op = request.operation.name
        do {
            var response = try answer(request)
            response.id = request.id
            return response
        } catch {
            let protocolError = Self.protocolError(for: error)
            if protocolError.code == .internal || protocolError.code == .indexUnavailable {
                logger.error("request failed", metadata: ["op": "\(op)", "code": "\(protocolError.code.rawValue)", "error": "\(error)"])
            } else {
                logger.debug("request refused", metadata: ["op": "\(op)", "code": "\(protocolError.code.rawValue)"])
            }
            return .failure(id: request.id, op: op, protocolError)
        }
    }

    private func answer(_ request: Request) throws(SearchError) -> Response {
        var response = Response(id: request.id, ok: true, op: request.operation.name)
        response.indexVersion = index.indexVersion
        switch request.operation {
        case .search(let query, let limit, let offset, let explain):
            fill(&response, with: try index.search(SearchRequest(text: query, mode: .search, limit: limit ?? defaultLimit, offset: offset)), explain: explain)
        case .map(let title, let limit, let offset, let explain):
            fill(&response, with: try index.search(SearchRequest(text: title, mode: .title, limit: limit ?? defaultLimit, offset: offset)), explain: explain)
        case .show(let id):
            response.card = try index.card(id: id)
        case .health:
            response.status = "serving"
            response.protocolVersion = metiersProtocolVersion
            response.cardCount = index.cardCount
            response.builtAt = index.builtAt
            let uptime = ContinuousClock.now - startedAt
            response.uptimeSeconds = Double(uptime.components.seconds) + Double(uptime.components.attoseconds / 1_000_000_000_000_000) / 1000
        }
        return response
    }

    private func fill(_ response: inout Response, with outcome: SearchOutcome, explain: Bool) {
        response.results = outcome.hits.map { hit in
            SearchResult(
                id: hit.card.id, name: hit.card.name, famille: hit.card.famille, sousFamille: hit.card.sousFamille,
                rome: hit.card.rome, score: (hit.score * 1000).rounded() / 1000, confidence: hit.confidence,
                matched: hit.matched.map { MatchedField(term: $0.term, field: $0.field) },
                matchedTitle: hit.matchedTitle,
                snippet: hit.snippet.map { ResultSnippet(field: $0.field, text: $0.text, highlights: $0.highlights) },
                features: explain ? hit.features : nil)
        }
        response.total = outcome.total
        response.match = outcome.match.rawValue
        response.didYouMean = outcome.didYouMean
    }

    /// The protocol error for a failure.
    static func protocolError(for error: SearchError) -> ProtocolError {
        switch error {
        case .emptyQuery: ProtocolError(.emptyQuery, "the query has no word to search for: give a job title or a description")
        case .querySyntax(let message): ProtocolError(.querySyntax, message)
        case .notFound(let id): ProtocolError(.notFound, "no emploi-type has the id '\(id)'; ids look like 'concepteur-developpeur'")
        case .indexUnavailable(let message): ProtocolError(.indexUnavailable, message)
        case .xapian(let error): ProtocolError(.internal, "the search failed inside Xapian (\(error.kind)); retry, and see the daemon's log")
        }
    }

    func encode(_ response: Response) -> [UInt8] {
        do {
            return Array(try response.encoded())
        } catch {
            logger.error("cannot encode a response", metadata: ["error": "\(error)"])
            let fallback = Response.failure(id: response.id, op: response.op, ProtocolError(.internal, "the response could not be encoded"))
            return (try? Array(fallback.encoded())) ?? Array(#"{"ok":false,"v":1,"error":{"code":"internal","message":"encoding failed"}}"#.utf8)
        }
    }
}
