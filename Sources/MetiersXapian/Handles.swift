import CXapian
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Snowball stemmer. Not thread-safe: one per thread or per owner.
public final class Stemmer {
    let handle: OpaquePointer

    /// A stemmer for `language` ("french").
    public init(language: String) throws(XapianError) {
        var out: OpaquePointer? = nil
        try check { mx_stemmer_new(language, &out, $0) }
        handle = out!
    }

    deinit { mx_stemmer_free(handle) }

    /// The stem of one already-normalised word.
    public func stem(_ word: String) -> String {
        var word = word
        return word.withUTF8 { buffer in
            var result: UnsafePointer<CChar>? = nil
            var length = 0
            let status = buffer.withMemoryRebound(to: CChar.self) { chars in
                mx_stemmer_stem(handle, chars.baseAddress, chars.count, &result, &length, nil)
            }
            // Snowball fails only when memory cannot be had; the word unstemmed is then still a
            // term of the same analysis (it matches itself, never another word), so the query
            // degrades for that word instead of failing.
            guard status == MX_OK, let result else { return String(decoding: buffer, as: UTF8.self) }
            return String(decoding: UnsafeRawBufferPointer(start: result, count: length), as: UTF8.self)
        }
    }
}

/// A document being built for indexing.
public final class Document {
    let handle: OpaquePointer

    public init() throws(XapianError) {
        var out: OpaquePointer? = nil
        try check { mx_document_new(&out, $0) }
        handle = out!
    }

    deinit { mx_document_free(handle) }

    /// Adds a term with a wdf increment, at `position` (0: no position).
    public func addTerm(_ term: String, position: UInt32 = 0, wdfIncrement: UInt32 = 1) throws(XapianError) {
        try check { mx_document_add_term(handle, term, position, wdfIncrement, $0) }
    }

    /// Adds a boolean (filter) term.
    public func addBooleanTerm(_ term: String) throws(XapianError) {
        try check { mx_document_add_boolean_term(handle, term, $0) }
    }

    public func setValue(_ value: String, slot: UInt32) throws(XapianError) {
        try checkBytes(value) { bytes, count, message in mx_document_set_value(handle, slot, bytes, count, message) }
    }

    public func setData(_ data: String) throws(XapianError) {
        try checkBytes(data) { bytes, count, message in mx_document_set_data(handle, bytes, count, message) }
    }
}

/// A database opened for writing (glass backend). Changes are kept only by `commit()`.
public final class WritableDatabase {
    let handle: OpaquePointer

    /// Creates (or overwrites) the database at `path`.
    public init(creatingAt path: String) throws(XapianError) {
        var out: OpaquePointer? = nil
        try check { mx_writable_database_create(path, &out, $0) }
        handle = out!
    }

    /// Opens the existing database at `path` for writing.
    public init(openingAt path: String) throws(XapianError) {
        var out: OpaquePointer? = nil
        try check { mx_writable_database_open(path, &out, $0) }
        handle = out!
    }

    /// Closes without committing: call `commit()` first to keep changes.
    deinit { mx_writable_database_free(handle) }

    /// Adds `document`, or replaces the one indexed by `uniqueTerm`.
    @discardableResult
    public func replaceDocument(uniqueTerm: String, _ document: Document) throws(XapianError) -> UInt32 {
        var docid: UInt32 = 0
        try check { mx_writable_database_replace_document(handle, uniqueTerm, document.handle, &docid, $0) }
        return docid
    }

    public func addSynonym(_ term: String, _ synonym: String) throws(XapianError) {
        try check { mx_writable_database_add_synonym(handle, term, synonym, $0) }
    }

    public func addSpelling(_ word: String, frequencyIncrement: UInt32 = 1) throws(XapianError) {
        try check { mx_writable_database_add_spelling(handle, word, frequencyIncrement, $0) }
    }

    public func setMetadata(_ key: String, _ value: String) throws(XapianError) {
        try checkBytes(value) { bytes, count, message in mx_writable_database_set_metadata(handle, key, bytes, count, message) }
    }

    /// Commits explicitly: Xapian's destructor would swallow a commit error.
    public func commit() throws(XapianError) {
        try check { mx_writable_database_commit(handle, $0) }
    }
}

/// A database opened for reading. Not thread-safe: one per thread, or one serialising owner.
public final class Database {
    let handle: OpaquePointer
    /// The path it was opened from.
    public let path: String

    /// Opens a database directory, a stub file, or a directory holding a `XAPIANDB` stub.
    public init(path: String) throws(XapianError) {
        var out: OpaquePointer? = nil
        try check { mx_database_open(path, &out, $0) }
        handle = out!
        self.path = path
    }

    deinit { mx_database_free(handle) }

    /// Moves to the latest committed revision; true when it changed.
    @discardableResult
    public func reopen() throws(XapianError) -> Bool {
        var changed: Int32 = 0
        try check { mx_database_reopen(handle, &changed, $0) }
        return changed != 0
    }

    public func documentCount() throws(XapianError) -> Int {
        var count: UInt32 = 0
        try check { mx_database_doc_count(handle, &count, $0) }
        return Int(count)
    }

    /// Metadata for `key`, "" when unset.
    public func metadata(_ key: String) throws(XapianError) -> String {
        var value: UnsafeMutablePointer<CChar>? = nil
        var length = 0
        try check { mx_database_get_metadata(handle, key, &value, &length, $0) }
        return takeString(value, length: length)
    }

    /// The first document indexed by `term`, nil when none.
    public func findDocument(term: String) throws(XapianError) -> UInt32? {
        var docid: UInt32 = 0
        do {
            try check { mx_database_find_document(handle, term, &docid, $0) }
        } catch where error.kind == .notFound {
            return nil
        }
        return docid
    }

    public func documentData(_ docid: UInt32) throws(XapianError) -> String {
        var data: UnsafeMutablePointer<CChar>? = nil
        var length = 0
        try check { mx_database_get_document_data(handle, docid, &data, &length, $0) }
        return takeString(data, length: length)
    }

    public func termFrequency(_ term: String) throws(XapianError) -> Int {
        var frequency: UInt32 = 0
        try check { mx_database_term_frequency(handle, term, &frequency, $0) }
        return Int(frequency)
    }

    public func synonyms(of term: String) throws(XapianError) -> [String] {
        try checkedStringList { mx_database_synonyms(handle, term, $0, $1, $2, $3) }
    }

    /// A better-known word within `maxEditDistance` edits, nil when none.
    public func spellingSuggestion(for word: String, maxEditDistance: UInt32 = 2) throws(XapianError) -> String? {
        var suggestion: UnsafeMutablePointer<CChar>? = nil
        try check { mx_database_spelling_suggestion(handle, word, maxEditDistance, &suggestion, $0) }
        let s = suggestion.map { String(cString: $0) } ?? ""
        free(suggestion)
        return s.isEmpty ? nil : s
    }

    /// Every term of document `docid`, sorted.
    public func terms(of docid: UInt32) throws(XapianError) -> [String] {
        try checkedStringList { mx_database_termlist(handle, docid, $0, $1, $2, $3) }
    }

    /// The terms that best characterise document `docid` (relevance-set expansion), among terms
    /// with one of `prefixes`, best first.
    public func expand(document docid: UInt32, maxTerms: Int, prefixes: [String]) throws(XapianError) -> [String] {
        let cStrings = prefixes.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
        return try pointers.withUnsafeBufferPointer { buffer throws(XapianError) in
            try checkedStringList { mx_database_expand(handle, docid, UInt32(clamping: maxTerms), buffer.baseAddress, buffer.count, $0, $1, $2, $3) }
        }
    }

    /// Runs `query`; matches `[offset, offset + limit)`, best first. With a `timeLimit`, the
    /// match stops looking at further documents once it has run that long and returns the best
    /// found so far (Xapian's `Enquire::set_time_limit`): the answer may be incomplete, never
    /// an error. nil (the default) or a non-positive duration: no limit.
    public func search(
        _ query: Query, offset: Int = 0, limit: Int, checkAtLeast: Int = 0, bm25: BM25Parameters? = nil,
        timeLimit: Duration? = nil
    ) throws(XapianError) -> MatchSet {
        var out: OpaquePointer? = nil
        let off = UInt32(clamping: max(0, offset))
        let lim = UInt32(clamping: max(0, limit))
        let atLeast = UInt32(clamping: max(0, checkAtLeast))
        let seconds = timeLimit.map(Self.seconds) ?? 0
        if var params = bm25?.c {
            try check { mx_database_search_timed(handle, query.handle, off, lim, atLeast, &params, seconds, &out, $0) }
        } else {
            try check { mx_database_search_timed(handle, query.handle, off, lim, atLeast, nil, seconds, &out, $0) }
        }
        return MatchSet(handle: out!)
    }

    /// A duration in (fractional) seconds, as Xapian takes time limits.
    static func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}

/// BM25 parameters (Xapian::BM25Weight); the defaults are Xapian's.
public struct BM25Parameters: Sendable, Equatable {
    public var k1 = 1.0, k2 = 0.0, k3 = 1.0, b = 0.5, minNormalisedLength = 0.5

    public init(k1: Double = 1.0, k2: Double = 0.0, k3: Double = 1.0, b: Double = 0.5, minNormalisedLength: Double = 0.5) {
        self.k1 = k1
        self.k2 = k2
        self.k3 = k3
        self.b = b
        self.minNormalisedLength = minNormalisedLength
    }

    var c: mx_bm25_parameters { mx_bm25_parameters(k1: k1, k2: k2, k3: k3, b: b, min_normlen: minNormalisedLength) }
}

/// An immutable Xapian query.
public final class Query: @unchecked Sendable {
    let handle: OpaquePointer

    /// How sub-queries combine.
    public enum Operator: Sendable {
        case and, or, andNot, andMaybe, filter, phrase(window: UInt32), eliteSet(size: UInt32), synonym, max

        var c: (mx_query_op, UInt32) {
            switch self {
            case .and: (MX_OP_AND, 0)
            case .or: (MX_OP_OR, 0)
            case .andNot: (MX_OP_AND_NOT, 0)
            case .andMaybe: (MX_OP_AND_MAYBE, 0)
            case .filter: (MX_OP_FILTER, 0)
            case .phrase(let window): (MX_OP_PHRASE, window)
            case .eliteSet(let size): (MX_OP_ELITE_SET, size)
            case .synonym: (MX_OP_SYNONYM, 0)
            case .max: (MX_OP_MAX, 0)
            }
        }
    }

    private init(handle: OpaquePointer) { self.handle = handle }

    /// A query for one term.
    public convenience init(term: String, wqf: UInt32 = 1, position: UInt32 = 0) throws(XapianError) {
        var out: OpaquePointer? = nil
        try check { mx_query_new_term(term, wqf, position, &out, $0) }
        self.init(handle: out!)
    }

    /// Sub-queries combined with `op`.
    public convenience init(_ op: Operator, _ subqueries: [Query]) throws(XapianError) {
        var out: OpaquePointer? = nil
        let (cop, parameter) = op.c
        let handles: [OpaquePointer?] = subqueries.map { $0.handle }
        try handles.withUnsafeBufferPointer { buffer throws(XapianError) in
            try check { mx_query_new_combined(cop, buffer.baseAddress, buffer.count, parameter, &out, $0) }
        }
        withExtendedLifetime(subqueries) {}
        self.init(handle: out!)
    }

    /// This query with its weights multiplied by `factor`.
    public func scaled(by factor: Double) throws(XapianError) -> Query {
        var out: OpaquePointer? = nil
        try check { mx_query_new_scaled(handle, factor, &out, $0) }
        return Query(handle: out!)
    }

    deinit { mx_query_free(handle) }

    /// Xapian's description, for logs and tests.
    public var description: String {
        var out: UnsafeMutablePointer<CChar>? = nil
        guard mx_query_describe(handle, &out, nil) == MX_OK, let out else { return "Query(?)" }
        defer { free(out) }
        return String(cString: out)
    }
}

/// The matches of one search; keeps what is needed to explain them.
public final class MatchSet {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }

    deinit { mx_mset_free(handle) }

    /// Matches held.
    public var count: Int { Int(mx_mset_size(handle)) }
    /// Estimated number of matching documents in all.
    public var matchesEstimated: Int { Int(mx_mset_matches_estimated(handle)) }

    /// One match: document id, weight and Xapian's percent.
    public func match(at index: Int) throws(XapianError) -> (docid: UInt32, weight: Double, percent: Int) {
        var docid: UInt32 = 0
        var weight = 0.0
        var percent: Int32 = 0
        try check { mx_mset_get(handle, UInt32(clamping: index), &docid, &weight, &percent, $0) }
        return (docid, weight, Int(percent))
    }

    /// The document data of match `index`.
    public func documentData(at index: Int) throws(XapianError) -> String {
        var data: UnsafePointer<CChar>? = nil
        var length = 0
        try check { mx_mset_document_data(handle, UInt32(clamping: index), &data, &length, $0) }
        guard let data else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// The query terms that match the document of match `index`.
    public func matchingTerms(at index: Int) throws(XapianError) -> [String] {
        try checkedStringList { mx_mset_matching_terms(handle, UInt32(clamping: index), $0, $1, $2, $3) }
    }
}
