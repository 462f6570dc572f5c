import CXapian
import MetiersXapian
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The C boundary itself: statuses, error ownership, and that no C++ exception escapes.
final class CXapianTests: XCTestCase {
    var directory = ""

    override func setUp() {
        var template = Array("/tmp/cxapian-test-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    override func tearDown() {
        _ = try? FileManager.default.removeItem(atPath: directory)
    }

    func testEveryStatusHasAName() {
        let statuses: [mx_status] = [
            MX_OK, MX_DATABASE_OPENING_ERROR, MX_DATABASE_MODIFIED, MX_DATABASE_CORRUPT, MX_DATABASE_LOCKED,
            MX_DATABASE_ERROR, MX_INVALID_ARGUMENT, MX_NOT_FOUND, MX_QUERY_ERROR, MX_OUT_OF_MEMORY,
            MX_XAPIAN_ERROR, MX_INTERNAL_ERROR,
        ]
        let names = statuses.map { String(cString: mx_status_to_string($0)) }
        XCTAssertEqual(Set(names).count, statuses.count, "names must be distinct: \(names)")
        XCTAssertEqual(String(cString: mx_status_to_string(mx_status(rawValue: 999))), "unknown status")
        XCTAssertEqual(String(cString: mx_status_to_string(MX_DATABASE_MODIFIED)), "database modified")
    }

    /// Each kind of exception thrown inside the boundary comes back as its status, with a
    /// malloc()ed message the caller frees.
    func testExceptionsBecomeStatuses() {
        let cases: [(String, mx_status, String)] = [
            ("DatabaseModifiedError", MX_DATABASE_MODIFIED, "test: modified"),
            ("DatabaseCorruptError", MX_DATABASE_CORRUPT, "test: corrupt"),
            ("InvalidArgumentError", MX_INVALID_ARGUMENT, "test: invalid"),
            ("std::runtime_error", MX_INTERNAL_ERROR, "test: runtime"),
            ("int", MX_INTERNAL_ERROR, "unknown C++ exception"),
        ]
        for (kind, expected, text) in cases {
            var message: UnsafeMutablePointer<CChar>? = nil
            let status = mx_debug_throw(kind, &message)
            XCTAssertEqual(status, expected, kind)
            XCTAssertNotNil(message, kind)
            if let message {
                XCTAssertTrue(String(cString: message).contains(text), "\(kind): \(String(cString: message))")
                free(message)
            }
        }
        XCTAssertEqual(mx_debug_throw("none", nil), MX_OK)
    }

    func testOpeningAMissingDatabaseIsAnErrorNotACrash() {
        var db: OpaquePointer? = nil
        var message: UnsafeMutablePointer<CChar>? = nil
        let status = mx_database_open(directory + "/nothing-here", &db, &message)
        XCTAssertEqual(status, MX_DATABASE_OPENING_ERROR)
        XCTAssertNil(db)
        XCTAssertNotNil(message)
        free(message)

        XCTAssertThrowsError(try Database(path: directory + "/nothing-here")) { error in
            XCTAssertEqual((error as? XapianError)?.kind, .databaseOpening)
        }
    }

    func testCorruptDatabaseIsReported() throws {
        let path = directory + "/corrupt"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Data("not a glass database".utf8).write(to: URL(fileURLWithPath: path + "/iamglass"))
        XCTAssertThrowsError(try Database(path: path)) { error in
            let kind = (error as? XapianError)?.kind
            XCTAssertTrue(kind == .databaseCorrupt || kind == .databaseOpening, "\(String(describing: kind))")
        }
    }

    func testNullArgumentsAreRefused() {
        var message: UnsafeMutablePointer<CChar>? = nil
        XCTAssertEqual(mx_database_open(nil, nil, &message), MX_INVALID_ARGUMENT)
        free(message)
        XCTAssertEqual(mx_document_add_term(nil, "x", 0, 1, nil), MX_INVALID_ARGUMENT)
        XCTAssertEqual(mx_writable_database_open(nil, nil, nil), MX_INVALID_ARGUMENT)
        var doc: OpaquePointer? = nil
        XCTAssertEqual(mx_document_new(&doc, nil), MX_OK)
        XCTAssertEqual(mx_document_add_term(doc, "", 0, 1, nil), MX_INVALID_ARGUMENT)
        mx_document_free(doc)
        mx_document_free(nil)  // freeing NULL is a no-op
        XCTAssertEqual(mx_mset_size(nil), 0)
    }

    /// Write, commit, reopen, search, read data and matching terms, synonyms and spelling.
    func testWriteAndSearchRoundTrip() throws {
        let path = directory + "/db"
        do {
            let db = try WritableDatabase(creatingAt: path)
            for (id, words) in [("a", ["developpeur", "java"]), ("b", ["administrateur", "linux"])] {
                let doc = try Document()
                for (i, w) in words.enumerated() { try doc.addTerm("XT" + w, position: UInt32(i + 1)) }
                try doc.addBooleanTerm("Q" + id)
                try doc.setData("data-\(id)")
                try doc.setValue("v-\(id)", slot: 0)
                try db.replaceDocument(uniqueTerm: "Q" + id, doc)
            }
            // Replacing on the id term is idempotent.
            let again = try Document()
            try again.addTerm("XTdeveloppeur")
            try again.addBooleanTerm("Qa")
            try again.setData("data-a2")
            try db.replaceDocument(uniqueTerm: "Qa", again)
            try db.addSynonym("dev", "developpeur")
            try db.addSpelling("developpeur", frequencyIncrement: 3)
            try db.setMetadata("k", "v")
            try db.commit()
        }
        let db = try Database(path: path)
        XCTAssertEqual(try db.documentCount(), 2)
        XCTAssertEqual(try db.metadata("k"), "v")
        XCTAssertEqual(try db.metadata("absent"), "")
        XCTAssertEqual(try db.synonyms(of: "dev"), ["developpeur"])
        XCTAssertEqual(try db.synonyms(of: "none"), [])
        XCTAssertEqual(try db.spellingSuggestion(for: "devloppeur"), "developpeur")
        XCTAssertNil(try db.spellingSuggestion(for: "zzzzzzzz"))
        XCTAssertEqual(try db.termFrequency("XTdeveloppeur"), 1)
        let docid = try XCTUnwrap(try db.findDocument(term: "Qa"))
        XCTAssertEqual(try db.documentData(docid), "data-a2")
        XCTAssertNil(try db.findDocument(term: "Qzzz"))

        let query = try Query(.or, [try Query(term: "XTlinux"), try Query(term: "XTadministrateur").scaled(by: 2)])
        XCTAssertTrue(query.description.contains("XTlinux"))
        let mset = try db.search(query, limit: 10)
        XCTAssertEqual(mset.count, 1)
        XCTAssertEqual(try mset.documentData(at: 0), "data-b")
        XCTAssertEqual(Set(try mset.matchingTerms(at: 0)), ["XTlinux", "XTadministrateur"])
        XCTAssertGreaterThan(try mset.match(at: 0).weight, 0)
        XCTAssertThrowsError(try mset.match(at: 5)) { error in
            XCTAssertEqual((error as? XapianError)?.kind, .invalidArgument)
        }
        XCTAssertThrowsError(try db.documentData(999)) { error in
            XCTAssertEqual((error as? XapianError)?.kind, .notFound)
        }
    }

    /// An existing database opens for writing and keeps what it had; a missing one is an
    /// opening error, not a new database.
    func testAnExistingDatabaseOpensForWriting() throws {
        let path = directory + "/reopened"
        do {
            let db = try WritableDatabase(creatingAt: path)
            let doc = try Document()
            try doc.addTerm("XTjava")
            try db.replaceDocument(uniqueTerm: "Qa", doc)
            try db.setMetadata("k", "first")
            try db.commit()
        }
        do {
            let db = try WritableDatabase(openingAt: path)
            try db.setMetadata("k", "second")
            try db.commit()
        }
        let db = try Database(path: path)
        XCTAssertEqual(try db.documentCount(), 1)
        XCTAssertEqual(try db.termFrequency("XTjava"), 1)
        XCTAssertEqual(try db.metadata("k"), "second")
        XCTAssertThrowsError(try WritableDatabase(openingAt: directory + "/absent")) { error in
            XCTAssertEqual((error as? XapianError)?.kind, .databaseOpening)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/absent"))
    }

    /// A time limit on the match: a generous one answers as without a limit; the C entry takes
    /// NULL arguments as errors and a non-positive limit as none.
    func testSearchWithATimeLimit() throws {
        let path = directory + "/timed"
        do {
            let db = try WritableDatabase(creatingAt: path)
            for i in 0..<200 {
                let doc = try Document()
                try doc.addTerm("XTword\(i % 7)")
                try doc.addTerm("XTcommon")
                try doc.addBooleanTerm("Q\(i)")
                try db.replaceDocument(uniqueTerm: "Q\(i)", doc)
            }
            try db.commit()
        }
        let db = try Database(path: path)
        let query = try Query(.or, [try Query(term: "XTcommon"), try Query(term: "XTword3")])
        let unlimited = try db.search(query, limit: 10, checkAtLeast: 200)
        let timed = try db.search(query, limit: 10, checkAtLeast: 200, timeLimit: .seconds(5))
        let none = try db.search(query, limit: 10, checkAtLeast: 200, timeLimit: .zero)
        XCTAssertEqual(timed.matchesEstimated, unlimited.matchesEstimated)
        XCTAssertEqual(none.matchesEstimated, 200)
        XCTAssertEqual(try timed.match(at: 0).docid, try unlimited.match(at: 0).docid)
        var message: UnsafeMutablePointer<CChar>? = nil
        var out: OpaquePointer? = nil
        XCTAssertEqual(mx_database_search_timed(nil, nil, 0, 10, 0, nil, 1.0, &out, &message), MX_INVALID_ARGUMENT)
        free(message)
    }

    /// A directory holding a `XAPIANDB` stub opens the database the stub names.
    func testStubDirectoryOpensTheNamedDatabase() throws {
        let root = directory + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        do {
            let db = try WritableDatabase(creatingAt: root + "/v1")
            let doc = try Document()
            try doc.addTerm("hello")
            try db.replaceDocument(uniqueTerm: "Q1", doc)
            try db.commit()
        }
        try Data("auto v1\n".utf8).write(to: URL(fileURLWithPath: root + "/XAPIANDB"))
        XCTAssertEqual(try Database(path: root + "/XAPIANDB").documentCount(), 1)
        XCTAssertEqual(try Database(path: root).documentCount(), 1)
    }

    func testFrenchStemmer() throws {
        let stemmer = try Stemmer(language: "french")
        XCTAssertEqual(stemmer.stem("developpeurs"), stemmer.stem("developpeur"))
        XCTAssertThrowsError(try Stemmer(language: "klingon")) { error in
            XCTAssertEqual((error as? XapianError)?.kind, .invalidArgument)
        }
    }
}
