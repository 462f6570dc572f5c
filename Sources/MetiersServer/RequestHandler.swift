#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import MetiersModel
import MetiersProtocol
import MetiersSearch
import MetiersText

/// Answers protocol requests against one opened index, without any socket: one line in, one
/// line out. The daemon keeps one per search worker thread (a `SearchIndex` is not
/// thread-safe); tests drive it directly.
public final class RequestHandler {
    /// The index requests are answered from; replaced between requests after a reload.
    public private(set) var index: SearchIndex
    let slot: IndexSlot
    let state: ServerState
    let reloader: Reloader?
    let logger: Logger
    /// Results per page when a request gives no `limit`.
    let defaultLimit: Int
    /// Time budget of one request; a classify batch that runs past it answers its remaining
    /// postings with `timeout`.
    let timeBudget: Duration
    /// What one query may ask for (phrases, exclusions, words).
    let queryLimits: QueryLimits
    /// Bad-request notices, rate-limited for the whole daemon.
    let notices: NoticeLimiter
    /// Offers other search workers a share of a classify batch (nil: the batch runs here alone),
    /// and how many other workers there are.
    var shareWork: ((@escaping (RequestHandler) -> Void) -> Void)?
    var otherWorkers = 0
    /// Postings per share of a classify batch.
    static let batchChunk = 8

    public convenience init(index: SearchIndex, defaultLimit: Int = 10, queryLimits: QueryLimits = QueryLimits(), logger: Logger) {
        self.init(
            index: index, slot: IndexSlot(),
            state: ServerState(indexVersion: index.indexVersion, builtAt: index.builtAt, cardCount: index.cardCount),
            reloader: nil, defaultLimit: defaultLimit, timeBudget: .seconds(10), queryLimits: queryLimits, notices: NoticeLimiter(),
            logger: logger)
    }

    init(
        index: SearchIndex, slot: IndexSlot, state: ServerState, reloader: Reloader?, defaultLimit: Int, timeBudget: Duration,
        queryLimits: QueryLimits, notices: NoticeLimiter, logger: Logger
    ) {
        self.index = index
        self.slot = slot
        self.state = state
        self.reloader = reloader
        self.defaultLimit = defaultLimit
        self.timeBudget = timeBudget
        self.queryLimits = queryLimits
        self.notices = notices
        self.logger = logger
    }

    /// The response line (without newline) for one request line (without newline).
    public func respond(toLine line: some Collection<UInt8>) -> [UInt8] {
        let started = ContinuousClock.now
        switch Request.decode(line) {
        case .success(let request):
            return respondEncoded(to: request, started: started)
        case .failure(let failure):
            return Self.refuse(failure, state: state, notices: notices, started: started, logger: logger)
        }
    }

    /// The response line to a request decoded at `started` (counted in the stats).
    func respondEncoded(to request: Request, started: ContinuousClock.Instant) -> [UInt8] {
        let response = respond(to: request)
        let bytes = Self.encode(response, logger: logger)
        state.record(op: request.operation.name, errorCode: response.error?.code.rawValue, since: started)
        return bytes
    }

    /// The response line to a line that is not a request (logged, rate-limited, and counted).
    static func refuse(
        _ failure: RequestDecodingFailure, state: ServerState, notices: NoticeLimiter, started: ContinuousClock.Instant, logger: Logger
    ) -> [UInt8] {
        notices.notice(logger, "bad request", metadata: ["code": "\(failure.error.code.rawValue)", "message": "\(failure.error.message)"])
        let response = Response.failure(id: failure.id, op: nil, failure.error)
        let bytes = encode(response, logger: logger)
        state.record(op: "invalid", errorCode: failure.error.code.rawValue, since: started)
        return bytes
    }

    /// The response to a decoded request.
    public func respond(to request: Request) -> Response {
        if let newer = slot.takeStaged() { index = newer }
        let op = request.operation.name
        if let refusal = refusal(of: request) {
            logger.debug("request refused", metadata: ["op": "\(op)", "code": "\(refusal.code.rawValue)"])
            return .failure(id: request.id, op: op, refusal)
        }
        do {
            return try answer(request)
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

    /// Why a query is refused before any search: over one of its limits (or its syntax).
    private func refusal(of request: Request) -> ProtocolError? {
        switch request.operation {
        case .search(let p): Self.check(p.text, limits: queryLimits)
        case .map(let p): Self.check(p.text, limits: queryLimits, syntax: false)
        default: nil
        }
    }

    /// A query checked against `limits` as it is parsed (with the search box's syntax, or as
    /// written): nil when it may be searched.
    static func check(_ text: String, limits: QueryLimits, syntax: Bool = true) -> ProtocolError? {
        do {
            _ = try QueryText.parse(text, limits: limits, syntax: syntax)
            return nil
        } catch {
            switch error {
            case .syntax(let syntax): return ProtocolError(.querySyntax, syntax.description)
            case .limit(let limit): return ProtocolError(code(for: limit.limit), limit.description)
            }
        }
    }

    static func code(for limit: QueryLimitExceeded.Limit) -> ErrorCode {
        switch limit {
        case .phrases: .tooManyPhrases
        case .phraseWords: .phraseTooLong
        case .exclusions: .tooManyExclusions
        case .terms: .tooManyTerms
        }
    }

    /// `health` and `stats`, answered from the shared state alone: the event loops answer them
    /// without waiting for a search worker. nil for every other operation.
    static func adminResponse(to request: Request, state: ServerState) -> Response? {
        switch request.operation {
        case .health:
            let c = state.snapshot()
            return Response(answering: request, indexVersion: c.indexVersion, .health(HealthBody(
                status: "serving", protocolVersion: metiersProtocolVersion, cardCount: c.cardCount,
                uptimeSeconds: (state.uptimeSeconds * 1000).rounded() / 1000, builtAt: c.builtAt, lastReloadError: c.lastReloadError)))
        case .stats:
            return Response(answering: request, .stats(StatsBody(stats: stats(state))))
        default:
            return nil
        }
    }

    private func answer(_ request: Request) throws(SearchError) -> Response {
        if let admin = Self.adminResponse(to: request, state: state) { return admin }
        // The version that answers: the one at the start (a batch may see a newer one staged),
        // or after a reload the one it switched to.
        var indexVersion = index.indexVersion
        let body: ResponseBody
        switch request.operation {
        case .search(let p):
            body = .search(Self.body(try index.search(searchRequest(p, mode: .search)), explain: p.explain))
        case .map(let p):
            body = .map(Self.body(try index.search(searchRequest(p, mode: .title)), explain: p.explain))
        case .classify(let p):
            body = .classify(ClassifyBody(items: classify(p)))
        case .show(let id):
            body = .show(ShowBody(card: try index.card(id: id)))
        case .similar(let id, let limit):
            body = .similar(SimilarBody(results: try index.similar(to: id, limit: limit ?? defaultLimit).map { hit, shared in
                var result = Self.result(hit, explain: false)
                result.sharedTerms = shared
                return result
            }))
        case .cards:
            body = .cards(CardsBody(cards: try index.allCards().map(\.summary)))
        case .mobility(let id, let steps):
            body = .mobility(try mobility(of: id, steps: steps ?? Self.defaultSteps))
        case .rome(let code):
            let (lookup, cards) = try index.romeCode(code)
            body = .rome(RomeBody(rome: RomeCode(
                code: lookup.metier.code, label: lookup.metier.label, parent: lookup.metier.parent,
                fineCodes: lookup.fineCodes.map { RomeCode.Metier(code: $0.code, label: $0.label) },
                appellations: lookup.appellations,
                cards: cards.map { RomeCode.CardRef(id: $0.id, name: $0.name) })))
        case .suggest(let query, let limit):
            body = .suggest(SuggestBody(suggestions: try index.suggest(query, limit: limit ?? RequestLimits.defaultSuggestLimit)))
        case .reload:
            guard let reloader else { throw SearchError.indexUnavailable("this handler cannot reload") }
            let previous = index.indexVersion
            switch reloader.reload(reason: "reload request") {
            case .failed(let message):
                throw SearchError.reloadFailed(message)
            case .reloaded, .unchanged:
                if let newer = slot.takeStaged() { index = newer }
                indexVersion = index.indexVersion
                body = .reload(ReloadBody(previousIndexVersion: previous, changed: previous != index.indexVersion))
            }
        case .health, .stats:
            preconditionFailure("answered by adminResponse")
        }
        return Response(answering: request, indexVersion: indexVersion, body)
    }

    /// Moves a `mobility` request follows when it gives no `steps`.
    static let defaultSteps = 2

    /// The passerelles around a card, from every card's summary (the graph the CLI draws).
    private func mobility(of id: String, steps: Int) throws(SearchError) -> MobilityBody {
        let cards = try index.allCards().map(\.summary)
        guard cards.contains(where: { $0.id == id }) else { throw .notFound(id: id) }
        let around = MobilityGraph(cards: cards).neighbourhood(of: id, steps: steps)
        return MobilityBody(card: id, steps: steps, nodes: around.nodes, edges: around.edges)
    }

    private func searchRequest(_ p: SearchParameters, mode: SearchRequest.Mode) -> SearchRequest {
        var request = SearchRequest(
            text: p.text, mode: mode, limit: p.limit ?? defaultLimit, offset: p.offset,
            familles: p.filters.famille, sousFamilles: p.filters.sousFamille, romeCodes: p.filters.rome, facets: p.facets)
        request.deadline = ContinuousClock.now + timeBudget
        // A search box's query has syntax; a job title is read as written.
        request.querySyntax = mode == .search
        return request
    }

    /// Each posting classified on its own: a bad posting fails alone; past the time budget the
    /// remaining postings answer `timeout`.
    private func classify(_ p: ClassifyParameters) -> [ClassifiedItem] {
        let deadline = ContinuousClock.now + timeBudget
        guard shareWork != nil, p.postings.count > Self.batchChunk else { return classify(p.postings[...], p, deadline: deadline) }
        let batch = BatchSplit(postings: p.postings, chunkSize: Self.batchChunk)
        // Every other worker may take chunks; the ones busy elsewhere find none left later.
        for _ in 0..<min(otherWorkers, batch.chunkCount - 1) { offer(batch, p, deadline: deadline) }
        batch.work { classify($0, p, deadline: deadline) }
        return batch.waitForItems()
    }

    /// Offers an idle worker one chunk of the batch, and the next one after it while any is left.
    private func offer(_ batch: BatchSplit, _ p: ClassifyParameters, deadline: ContinuousClock.Instant) {
        shareWork? { other in
            if other.shareOne(batch, p, deadline: deadline) { other.offer(batch, p, deadline: deadline) }
        }
    }

    /// One chunk of a batch another worker took; true when chunks are still unclaimed.
    private func shareOne(_ batch: BatchSplit, _ p: ClassifyParameters, deadline: ContinuousClock.Instant) -> Bool {
        batch.workOne { classify($0, p, deadline: deadline) } && batch.unclaimed
    }

    private func classify(_ postings: ArraySlice<Posting>, _ p: ClassifyParameters, deadline: ContinuousClock.Instant) -> [ClassifiedItem] {
        if let newer = slot.takeStaged() { index = newer }
        var items: [ClassifiedItem] = []
        items.reserveCapacity(postings.count)
        for posting in postings {
            switch posting {
            case .invalid(let id, let error):
                items.append(ClassifiedItem(id: id, ok: false, error: error))
            case .valid(let id, let title, let description):
                if ContinuousClock.now > deadline {
                    items.append(ClassifiedItem(id: id, ok: false, error: ProtocolError(.timeout, "the batch ran past its time budget; send this posting again")))
                    continue
                }
                // The title leads: it is read as the posting's head, before the description.
                let text = [title, description].compactMap { $0 }.joined(separator: title != nil && description != nil ? " :\n" : "")
                // A posting is read as written: its « guillemets » and stray quotes are text.
                if let refusal = Self.check(text, limits: queryLimits, syntax: false) {
                    items.append(ClassifiedItem(id: id, ok: false, error: refusal))
                    continue
                }
                do {
                    var request = SearchRequest(
                        text: text, mode: description == nil ? .title : .search, limit: p.limit ?? 3,
                        familles: p.filters.famille, sousFamilles: p.filters.sousFamille, romeCodes: p.filters.rome)
                    request.snippets = false
                    request.querySyntax = false
                    request.deadline = deadline
                    let outcome = try index.search(request)
                    items.append(ClassifiedItem(
                        id: id, ok: true, results: outcome.hits.map { Self.result($0, explain: false) }, match: outcome.match.rawValue,
                        nearestRome: outcome.nearestRome.map(Self.nearest)))
                } catch {
                    items.append(ClassifiedItem(id: id, ok: false, error: Self.protocolError(for: error)))
                }
            }
        }
        return items
    }

    static func stats(_ state: ServerState) -> Stats {
        let c = state.snapshot()
        let sorted = c.latencies.sorted()
        func percentile(_ q: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return (sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))] * 10).rounded() / 10
        }
        return Stats(
            uptimeSeconds: (state.uptimeSeconds * 1000).rounded() / 1000, requests: c.requests, errors: c.errors,
            latencyMicroseconds: .init(p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99), max: percentile(1)),
            connections: .init(open: c.open, accepted: c.accepted, refused: c.refused, idleClosed: c.idleClosed),
            index: .init(
                version: c.indexVersion, builtAt: c.builtAt, ageSeconds: Self.age(of: c.builtAt), reloads: c.reloads,
                reloadFailures: c.reloadFailures, lastReloadError: c.lastReloadError))
    }

    /// Seconds since an ISO 8601 date; nil (an unknown age, `null` on the wire) when the index's
    /// build date is not one, as an index from before the date was stored.
    static func age(of date: String) -> Double? {
        guard let built = try? Date(date, strategy: .iso8601) else { return nil }
        return (Date().timeIntervalSince(built) * 10).rounded() / 10
    }

    static func body(_ outcome: SearchOutcome, explain: Bool) -> SearchBody {
        SearchBody(
            results: outcome.hits.map { result($0, explain: explain) }, total: outcome.total, match: outcome.match.rawValue,
            didYouMean: outcome.didYouMean, nearestRome: outcome.nearestRome.map(nearest),
            facets: outcome.facets)
    }

    static func nearest(_ match: NearestRomeMatch) -> NearestRome {
        NearestRome(codeRome: match.metier.code, label: match.metier.label, codeRomeParent: match.metier.parent, appellation: match.appellation)
    }

    static func result(_ hit: SearchHit, explain: Bool) -> SearchResult {
        var result = SearchResult(
            id: hit.card.id, name: hit.card.name, famille: hit.card.famille, sousFamille: hit.card.sousFamille,
            rome: hit.card.rome, score: (hit.score * 1000).rounded() / 1000, confidence: hit.confidence,
            matched: hit.matched.map { MatchedField(term: $0.term, field: $0.field) },
            matchedTitle: hit.matchedTitle,
            snippet: hit.snippet.map { ResultSnippet(field: $0.field, text: $0.text, highlights: $0.highlights) },
            features: explain ? hit.features : nil)
        result.romeAppellation = hit.romeAppellation
        return result
    }

    /// The protocol error for a failure.
    static func protocolError(for error: SearchError) -> ProtocolError {
        switch error {
        case .emptyQuery: ProtocolError(.emptyQuery, "the query has no word to search for: give a job title or a description")
        case .querySyntax(let message): ProtocolError(.querySyntax, message)
        case .notFound(let id): ProtocolError(.notFound, "no emploi-type has the id '\(id)'; ids look like 'concepteur-developpeur'")
        case .indexUnavailable(let message): ProtocolError(.indexUnavailable, message)
        case .reloadFailed(let message): ProtocolError(.reloadFailed, "\(message); the previous index is still served")
        case .xapian(let error): ProtocolError(.internal, "the search failed inside Xapian (\(error.kind)); retry, and see the daemon's log")
        case .unknownRomeCode(let code): ProtocolError(.notFound, "ROME v460 has no code '\(code)'; codes look like M1805 (older generation) or M1855 (fine)")
        case .timeout(let stage):
            ProtocolError(.timeout, "the search ran past the daemon's time budget (limits.request_timeout_ms), before its \(stage) stage; send a shorter query")
        }
    }

    func encode(_ response: Response) -> [UInt8] { Self.encode(response, logger: logger) }

    static func encode(_ response: Response, logger: Logger) -> [UInt8] {
        do {
            return Array(try response.encoded())
        } catch {
            logger.error("cannot encode a response", metadata: ["error": "\(error)"])
            let fallback = Response.failure(id: response.id, op: response.op, ProtocolError(.internal, "the response could not be encoded"))
            if let bytes = try? fallback.encoded() { return Array(bytes) }
            // Only the echoed id can fail to encode (a number JSON cannot write); without it,
            // the failure holds strings alone.
            return Array(try! Response.failure(id: nil, op: response.op, fallback.error!).encoded())
        }
    }
}
