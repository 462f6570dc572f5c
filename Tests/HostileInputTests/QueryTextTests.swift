import Foundation
import XCTest

/// Query strings that break query parsers. The syntax is small (words, "phrases", -exclusions)
/// and everything else is text: each is answered (`ok`), or refused as `empty_query` (nothing
/// to search for) or, on `search`, `query_syntax` (an unbalanced double quote), never
/// `internal`. `map` reads a title as written: quotes and dashes are punctuation there.
final class QueryTextTests: HostileTestCase {
    /// A JSON string literal (escaped) for a query.
    func literal(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [])
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }

    /// Each query on `search` and on `map`; `map` expects what `search` does unless `onMap`
    /// says otherwise (by case name).
    func cases(_ table: [(String, String, [String])], onMap: [String: [String]] = [:]) -> [LineCase] {
        table.flatMap { name, query, expected -> [LineCase] in
            var search = LineCase(name + " (search)", #"{"op":"search","query":\#(literal(query))}"#)
            search.expected = Set(expected)
            var map = LineCase(name + " (map)", #"{"op":"map","title":\#(literal(query))}"#)
            map.expected = Set(onMap[name] ?? expected)
            return [search, map]
        }
    }

    let answered = ["ok", "empty_query"]

    func testBooleanOperatorsAreText() throws {
        try check(cases([
            ("AND", "AND", answered), ("NOT", "NOT", answered), ("OR", "OR", answered),
            ("AND NOT", "java AND NOT python", ["ok"]), ("OR chain", "OR OR OR AND NOT", answered),
            ("NEAR", "java NEAR/3 developpeur", ["ok"]), ("XOR", "java XOR", ["ok"]),
            ("lowercase and", "développeur and java", ["ok"]),
        ]))
    }

    func testBracketsPrefixesAndWildcards() throws {
        try check(cases([
            ("((", "((", ["empty_query"]), ("))", "))", ["empty_query"]), ("(java", "(java", ["ok"]),
            ("unbalanced brackets", "((java) OR (python", ["ok"]), ("brackets around nothing", "()", ["empty_query"]),
            ("title: alone", "title:", answered), ("title:java", "title:java", ["ok"]), ("field:", ":", ["empty_query"]),
            ("*", "*", ["empty_query"]), ("?", "?", ["empty_query"]), ("a*", "a*", answered),
            ("java*", "java*", ["ok"]), ("dev?", "dev?", answered), ("+java", "+java", ["ok"]),
            ("~java", "~java", ["ok"]), ("boost", "java^2", ["ok"]), ("backslash", "\\", ["empty_query"]),
            ("regex", ".*(a|b)+$", answered), ("Xapian prefixes", "XTdeveloppeur Qconcepteur-developpeur", answered),
            ("SQL", "'; DROP TABLE cards; --", answered), ("percent", "%s%s%s%n", answered),
        ]))
    }

    func testQuotesAndMinuses() throws {
        try check(cases([
            ("lone quote", "\"", ["query_syntax"]), ("three quotes", "\"\"\"", ["query_syntax"]),
            ("empty phrase", "\"\"", ["empty_query"]), ("unbalanced quote after words", "chef \"de projet", ["query_syntax"]),
            ("typographic open quote", "« chef de projet", ["query_syntax"]),
            ("phrase", "\"chef de projet\"", ["ok"]), ("phrase of stopwords", "\"de la\"", ["empty_query", "ok"]),
            ("-", "-", ["empty_query"]), ("--", "--", ["empty_query"]), ("- -", "- -", ["empty_query"]),
            ("-\"x\"", "-\"x\"", answered), ("only an exclusion", "-java", answered),
            ("exclusion of everything", "développeur -développeur", answered),
            ("dangling minus", "java -", ["ok"]), ("minus inside", "full-stack", ["ok"]),
        ], onMap: [
            "lone quote": ["empty_query"], "three quotes": ["empty_query"], "unbalanced quote after words": ["ok"],
            "typographic open quote": ["ok"], "only an exclusion": ["ok"], "exclusion of everything": ["ok"],
        ]))
    }

    func testUnicodeOddities() throws {
        try check(cases([
            ("emoji", "👩‍💻", ["empty_query"]), ("emoji among words", "développeur 👩‍💻 java", ["ok"]),
            ("flags and skin tones", "🇫🇷👍🏿", ["empty_query"]),
            ("Arabic", "مطور جافا", answered), ("Hebrew", "מפתח תוכנה", answered),
            ("RTL override", "\u{202E}java\u{202C} développeur", ["ok"]),
            ("control characters", "java\u{01}\u{07}\u{1B}[31m développeur\u{7F}", ["ok"]),
            ("only control characters", "\u{01}\u{02}\u{1B}", ["empty_query"]),
            ("zero-width characters", "dé\u{200B}velop\u{200D}peur\u{FEFF}", answered),
            ("combining marks", "de\u{301}veloppeur java", ["ok"]),
            ("a hundred combining marks", "e" + String(repeating: "\u{301}", count: 100), answered),
            ("line separators", "chef\u{2028}de\u{2029}projet", ["ok"]),
            ("fullwidth", "ｄｅｖｅｌｏｐｐｅｕｒ", answered), ("CJK", "软件开发工程师", answered),
            ("noncharacters", "\u{FFFE}\u{FFFF}\u{10FFFF}", ["empty_query"]),
            ("replacement character", "\u{FFFD}", ["empty_query"]),
            ("private use", "\u{E000}\u{F8FF}", answered),
            ("ligatures", "œuvre ﬁnance", answered),
            ("whitespace only", " \t\u{A0}\u{3000} ", ["empty_query"]), ("empty", "", ["empty_query"]),
            ("stopwords only", "le la les de du des", ["empty_query"]),
        ]))
    }

    /// `"\ud800"`: a lone surrogate escape is not a character; refused or answered, never a
    /// crash. A valid pair is an emoji.
    func testSurrogateEscapes() throws {
        try check([
            LineCase("lone high surrogate", #"{"op":"search","query":"\ud800"}"#, "bad_json", "empty_query"),
            LineCase("lone low surrogate", #"{"op":"search","query":"\udfff java"}"#, "bad_json", "ok"),
            LineCase("reversed pair", #"{"op":"map","title":"\ude00\ud83d"}"#, "bad_json", "empty_query"),
            LineCase("high then text", #"{"op":"search","query":"\ud83djava"}"#, "bad_json", "ok"),
            LineCase("valid pair", #"{"op":"search","query":"\ud83d\ude00"}"#, "empty_query"),
            LineCase("lone surrogate as id", #"{"op":"health","id":"\ud800"}"#, "bad_json", "ok"),
            LineCase("lone surrogate as card", #"{"op":"show","card":"\udbff"}"#, "bad_json", "not_found"),
        ])
    }

    /// The request time budget the suite gives the daemon, and how much later than it an
    /// answer (or a `timeout` error) may arrive.
    var budget: Double { Double(HostileLimits.requestTimeoutMilliseconds) / 1000 }
    let grace = 3.0

    /// Sends one request and checks that it is answered with one of `expected` within the
    /// request budget (plus grace), on its own connection.
    func assertAnsweredInTime(_ name: String, _ line: String, _ expected: Set<String>, file: StaticString = #filePath, line number: UInt = #line) throws {
        let maxLine = try daemon.maxLineBytes
        XCTAssertLessThan(line.utf8.count, maxLine, "\(name) must fit in a line", file: file, line: number)
        let client = try connect()
        let started = Date()
        let response: [String: Any]
        do {
            response = try client.request(line, timeout: budget + grace + 5)
        } catch {
            XCTFail("\(name): no answer within \(budget + grace + 5) s (request budget \(budget) s): \(error)", file: file, line: number)
            throw error
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertTrue(expected.contains(response.outcome), "\(name): expected \(expected.sorted()), got \(response.outcome): \(String(describing: response).prefix(300))", file: file, line: number)
        XCTAssertLessThan(elapsed, budget + grace, "\(name): answered after \(elapsed) s; the request budget is \(budget) s", file: file, line: number)
    }

    /// About 60 KB of the referentiel's words: under the 64 KiB query and line limits.
    var sixtyKilobytesOfWords: String {
        let words = ["développeur", "java", "chef", "de", "projet", "administrateur", "systèmes", "linux", "réseau", "données"]
        var query = ""
        var i = 0
        while query.utf8.count < 60_000 {
            query += words[i % words.count] + " "
            i += 1
        }
        return query
    }

    /// A 60 KB query (about 6,000 words) is answered, or refused with `timeout`, within the
    /// request budget.
    func testA60KBQueryOfKnownWords() throws {
        try assertAnsweredInTime("60 KB search", #"{"op":"search","query":\#(literal(sixtyKilobytesOfWords))}"#, ["ok", "timeout"])
    }

    func testA60KBTitle() throws {
        try assertAnsweredInTime("60 KB map", #"{"op":"map","title":\#(literal(sixtyKilobytesOfWords))}"#, ["ok", "timeout"])
    }

    /// 60 KB of one long word, of one letter repeated as words, of punctuation, of quotes.
    func testA60KBDegenerateQueries() throws {
        try assertAnsweredInTime("60 KB of one word", #"{"op":"search","query":"\#(String(repeating: "x", count: 60_000))"}"#, ["ok", "timeout"])
        try assertAnsweredInTime("60 KB of 'a '", #"{"op":"search","query":"\#(String(repeating: "a ", count: 30_000))"}"#, ["ok", "empty_query", "timeout"])
        try assertAnsweredInTime("60 KB of punctuation", #"{"op":"search","query":"\#(String(repeating: "-(", count: 30_000))"}"#, ["empty_query", "timeout"])
        try assertAnsweredInTime("60 KB of quotes", #"{"op":"search","query":"\#(String(repeating: #"\""#, count: 15_000))"}"#, ["empty_query", "timeout"])
    }

    /// 1,200 words: well under the size limits, answered in time.
    func testTwelveHundredWords() throws {
        let query = (0..<1_200).map { ["développeur", "java", "chef", "projet", "réseau"][$0 % 5] }.joined(separator: " ")
        try assertAnsweredInTime("1,200 words", #"{"op":"search","query":"\#(query)"}"#, ["ok", "timeout"])
    }

    /// 500 phrases, 500 exclusions: over the daemon's query limits (16 phrases, 32 exclusions),
    /// each refused with its own code.
    func testManyPhrasesAndExclusions() throws {
        let phrases = (0..<500).map { "\"chef de projet \($0)\"" }.joined(separator: " ")
        try assertAnsweredInTime("500 phrases (search)", #"{"op":"search","query":\#(literal(phrases))}"#, ["too_many_phrases"])
        // A title is read as written: 500 quoted runs are 1,500 words of text.
        try assertAnsweredInTime("500 phrases (map)", #"{"op":"map","title":\#(literal(phrases))}"#, ["ok", "timeout"])
        let exclusions = (0..<500).map { "-mot\($0)" }.joined(separator: " ")
        try assertAnsweredInTime("500 exclusions", #"{"op":"search","query":"\#(exclusions)"}"#, ["too_many_exclusions"])
        let mixed = (0..<300).map { "développeur -java\($0) \"chef \($0)\"" }.joined(separator: " ")
        try assertAnsweredInTime("300 words, exclusions and phrases", #"{"op":"search","query":\#(literal(mixed))}"#, ["too_many_phrases"])
    }

    /// 10,000 unknown words (thousands of them distinct: `too_many_terms`), and 10,000 known
    /// words: answered or refused within the request time budget.
    func testTenThousandWords() throws {
        var generator = SystemRandomNumberGenerator()
        let letters = Array("bcdfghjklmnpqrstvwxz")
        let words = (0..<10_000).map { _ in String((0..<3).map { _ in letters.randomElement(using: &generator)! }) }
        // About 5,700 distinct words: over the 2,000 distinct words a query may have.
        try assertAnsweredInTime("10,000 unknown words", #"{"op":"search","query":"\#(words.joined(separator: " "))"}"#, ["too_many_terms"])
    }

    func testTenThousandKnownWords() throws {
        let known = (0..<10_000).map { ["java", "chef", "linux", "sql", "web"][$0 % 5] }.joined(separator: " ")
        try assertAnsweredInTime("10,000 known words", #"{"op":"map","title":"\#(known)"}"#, ["ok", "timeout"])
    }
}
