import CSQLite
import MetiersModel
import MetiersSchema

/// The peer: SQLite FTS5 over the same cards, one column per field of the Xapian index, BM25
/// with the same field weights as `search` mode, `ORDER BY rank LIMIT 10`, in-process.
final class FTSIndex {
    private var db: OpaquePointer?
    private var statement: OpaquePointer?
    let sqliteVersion: String

    init(path: String, cards: [Card]) throws {
        sqliteVersion = String(cString: sqlite3_libversion())
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw BenchError("sqlite: cannot open \(path)") }
        try exec(#"CREATE VIRTUAL TABLE cards USING fts5(id UNINDEXED, title, activites, description, savoir_faire, connaissances, other, tokenize="unicode61 remove_diacritics 2")"#)
        // Same field weights as SearchIndex's search mode (title 4, activités 1.5, …).
        try exec(#"INSERT INTO cards(cards, rank) VALUES('rank', 'bm25(0.0, 4.0, 1.5, 1.5, 1.0, 0.8, 0.3)')"#)
        try exec("BEGIN")
        var insert: OpaquePointer?
        guard sqlite3_prepare_v2(db, "INSERT INTO cards VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &insert, nil) == SQLITE_OK else {
            throw BenchError("sqlite: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(insert) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for card in cards {
            sqlite3_reset(insert)
            sqlite3_bind_text(insert, 1, card.id, -1, transient)
            for (i, (_, texts)) in CardFields.text(of: card).enumerated() {
                sqlite3_bind_text(insert, Int32(i + 2), texts.joined(separator: "\n"), -1, transient)
            }
            guard sqlite3_step(insert) == SQLITE_DONE else { throw BenchError("sqlite insert: \(String(cString: sqlite3_errmsg(db)))") }
        }
        try exec("COMMIT")
        guard sqlite3_prepare_v2(db, "SELECT id FROM cards WHERE cards MATCH ?1 ORDER BY rank LIMIT 10", -1, &statement, nil) == SQLITE_OK else {
            throw BenchError("sqlite: \(String(cString: sqlite3_errmsg(db)))")
        }
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close(db)
    }

    private func exec(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "?"
            sqlite3_free(message)
            throw BenchError("sqlite: \(text) in \(sql)")
        }
    }

    /// The free text as an FTS5 query: its words, each quoted, OR'ed (the same OR semantics as
    /// metiers' search).
    static func matchExpression(_ text: String) -> String {
        var seen = Set<String>()
        var words: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty, seen.insert(current.lowercased()).inserted { words.append("\"" + current + "\"") }
            current = ""
        }
        for c in text {
            if c.isLetter || c.isNumber { current.append(c) } else { flush() }
        }
        flush()
        return words.joined(separator: " OR ")
    }

    /// Runs one query; returns the ids, best first.
    @discardableResult
    func search(_ text: String) -> [String] {
        let expression = Self.matchExpression(text)
        sqlite3_reset(statement)
        sqlite3_bind_text(statement, 1, expression, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        var ids: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            ids.append(String(cString: sqlite3_column_text(statement, 0)))
        }
        return ids
    }
}
