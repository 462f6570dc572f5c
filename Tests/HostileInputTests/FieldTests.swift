import Foundation
import XCTest

/// Valid JSON, invalid requests: every field with every wrong type, unknown and missing fields,
/// other protocol versions, limits and offsets out of range. Each is `bad_request` (naming the
/// field), `unknown_op` or `unsupported_version`, on a connection that carries on.
final class FieldTests: HostileTestCase {
    /// JSON values of every type but `keep`.
    func wrongValues(besides keep: String) -> [(String, String)] {
        let all: [(String, String)] = [
            ("string", #""12""#), ("number", "12"), ("float", "1.5"), ("boolean", "true"),
            ("array", #"["search"]"#), ("object", #"{"a":1}"#), ("empty array", "[]"), ("empty object", "{}"),
        ]
        return all.filter { $0.0 != keep && !(keep == "number" && $0.0 == "float") }
    }

    func testOpOfEveryWrongType() throws {
        try check(wrongValues(besides: "string").map { LineCase("op as \($0.0)", #"{"op":\#($0.1)}"#, "bad_request", mentions: "op") }
            + [
                LineCase("op null", #"{"op":null}"#, "bad_request", mentions: "op"),
                LineCase("op empty", #"{"op":""}"#, "unknown_op"),
                LineCase("op in capitals", #"{"op":"SEARCH","query":"java"}"#, "unknown_op"),
                LineCase("op with a space", #"{"op":"search ","query":"java"}"#, "unknown_op"),
                LineCase("op unknown", #"{"op":"drop_tables"}"#, "unknown_op"),
                LineCase("op very long", #"{"op":""# + String(repeating: "x", count: 50_000) + #""}"#, "unknown_op"),
            ])
    }

    func testQueryAndTitleOfEveryWrongType() throws {
        try check(wrongValues(besides: "string").map { LineCase("query as \($0.0)", #"{"op":"search","query":\#($0.1)}"#, "bad_request", mentions: "query") }
            + wrongValues(besides: "string").map { LineCase("title as \($0.0)", #"{"op":"map","title":\#($0.1)}"#, "bad_request", mentions: "title") }
            + [
                LineCase("query null", #"{"op":"search","query":null}"#, "bad_request", mentions: "query"),
                LineCase("title null", #"{"op":"map","title":null}"#, "bad_request", mentions: "title"),
            ])
    }

    func testLimitAndOffsetOfEveryWrongType() throws {
        try check(wrongValues(besides: "number").map { LineCase("limit as \($0.0)", #"{"op":"search","query":"java","limit":\#($0.1)}"#, "bad_request", mentions: "limit") }
            + wrongValues(besides: "number").map { LineCase("offset as \($0.0)", #"{"op":"search","query":"java","offset":\#($0.1)}"#, "bad_request", mentions: "offset") }
            + [
                LineCase("limit 1.5", #"{"op":"search","query":"java","limit":1.5}"#, "bad_request", mentions: "limit"),
                LineCase("offset 0.5", #"{"op":"map","title":"java","offset":0.5}"#, "bad_request", mentions: "offset"),
                LineCase("limit on map as string", #"{"op":"map","title":"java","limit":"3"}"#, "bad_request", mentions: "limit"),
            ])
    }

    func testIdOfEveryWrongType() throws {
        let responses = try check([
            LineCase("id as array", #"{"op":"health","id":[1]}"#, "bad_request", mentions: "id"),
            LineCase("id as object", #"{"op":"health","id":{"a":1}}"#, "bad_request", mentions: "id"),
            LineCase("id as boolean", #"{"op":"health","id":true}"#, "bad_request", mentions: "id"),
            LineCase("id as empty array", #"{"op":"health","id":[]}"#, "bad_request", mentions: "id"),
            LineCase("id null", #"{"op":"health","id":null}"#, "ok"),
            LineCase("id float", #"{"op":"health","id":1.5}"#, "ok"),
            LineCase("id negative", #"{"op":"health","id":-7}"#, "ok"),
            LineCase("id empty string", #"{"op":"health","id":""}"#, "ok"),
            LineCase("id of 50,000 characters", #"{"op":"health","id":""# + String(repeating: "é", count: 25_000) + #""}"#, "ok"),
            LineCase("id with quotes and newlines escaped", #"{"op":"health","id":"a\"b\nc\\d\u2028e"}"#, "ok"),
            LineCase("id kept on a bad request", #"{"op":"search","id":"keep-me","query":5}"#, "bad_request"),
        ])
        XCTAssertEqual(responses["id float"]?["id"] as? Double, 1.5)
        XCTAssertEqual(responses["id negative"]?["id"] as? Int, -7)
        XCTAssertEqual((responses["id of 50,000 characters"]?["id"] as? String)?.count, 25_000)
        XCTAssertEqual(responses["id with quotes and newlines escaped"]?["id"] as? String, "a\"b\nc\\d\u{2028}e")
        XCTAssertEqual(responses["id kept on a bad request"]?["id"] as? String, "keep-me", "the error echoes the id it could read")
    }

    func testCardOfEveryWrongType() throws {
        try check(wrongValues(besides: "string").map { LineCase("card as \($0.0)", #"{"op":"show","card":\#($0.1)}"#, "bad_request", mentions: "card") }
            + [
                LineCase("card null", #"{"op":"show","card":null}"#, "bad_request", mentions: "card"),
                LineCase("card empty", #"{"op":"show","card":""}"#, "bad_request", mentions: "card"),
                LineCase("card path traversal", #"{"op":"show","card":"../../../../etc/passwd"}"#, "not_found"),
                LineCase("card absolute path", #"{"op":"show","card":"/etc/passwd"}"#, "not_found"),
                LineCase("card glob", #"{"op":"show","card":"*"}"#, "not_found"),
                LineCase("card Xapian prefix", #"{"op":"show","card":"Qconcepteur-developpeur"}"#, "not_found"),
                LineCase("card in capitals", #"{"op":"show","card":"CONCEPTEUR-DEVELOPPEUR"}"#, "not_found"),
                LineCase("card of 60,000 bytes", #"{"op":"show","card":""# + String(repeating: "a-", count: 30_000) + #""}"#, "not_found"),
                LineCase("card emoji", #"{"op":"show","card":"👩‍💻"}"#, "not_found"),
            ])
    }

    func testVersionOfEveryKind() throws {
        try check([
            LineCase("v 0", #"{"op":"health","v":0}"#, "unsupported_version"),
            LineCase("v 2", #"{"op":"health","v":2}"#, "unsupported_version"),
            LineCase("v -1", #"{"op":"health","v":-1}"#, "unsupported_version"),
            LineCase("v 2 with an unknown op", #"{"op":"teleport","v":2}"#, "unsupported_version"),
            LineCase("v as string", #"{"op":"health","v":"1"}"#, "bad_request", mentions: "v"),
            LineCase("v 1.5", #"{"op":"health","v":1.5}"#, "bad_request", "unsupported_version"),
            LineCase("v as boolean", #"{"op":"health","v":true}"#, "bad_request", mentions: "v"),
            LineCase("v as array", #"{"op":"health","v":[1]}"#, "bad_request", mentions: "v"),
            LineCase("v null is v1", #"{"op":"health","v":null}"#, "ok"),
            LineCase("v 1.0 is v1", #"{"op":"health","v":1.0}"#, "ok"),
            LineCase("v 1", #"{"op":"health","v":1}"#, "ok"),
        ])
    }

    func testExplainOfEveryWrongType() throws {
        let responses = try check(wrongValues(besides: "boolean").map { LineCase("explain as \($0.0)", #"{"op":"search","query":"java","explain":\#($0.1)}"#, "bad_request", mentions: "explain") }
            + [
                LineCase("explain as 1", #"{"op":"search","query":"java","explain":1}"#, "bad_request", mentions: "explain"),
                LineCase("explain as \"true\"", #"{"op":"map","title":"java","explain":"true"}"#, "bad_request", mentions: "explain"),
                LineCase("explain true", #"{"op":"search","query":"développeur java","explain":true}"#, "ok"),
                LineCase("explain null", #"{"op":"search","query":"développeur java","explain":null}"#, "ok"),
            ])
        XCTAssertEqual(responses["explain true"]?.firstResultID, "concepteur-developpeur")
    }

    func testUnknownAndMissingFields() throws {
        try check([
            LineCase("unknown field", #"{"op":"health","extra":1}"#, "bad_request", mentions: "extra"),
            LineCase("field in the wrong case", #"{"op":"search","query":"java","Limit":5}"#, "bad_request", mentions: "Limit"),
            LineCase("field of another op", #"{"op":"search","query":"java","title":"x"}"#, "bad_request", mentions: "title"),
            LineCase("query on health", #"{"op":"health","query":"java"}"#, "bad_request", mentions: "query"),
            LineCase("card on search", #"{"op":"search","query":"java","card":"x"}"#, "bad_request", mentions: "card"),
            LineCase("empty key", #"{"op":"health","":1}"#, "bad_request"),
            LineCase("a thousand unknown fields", "{" + (0..<1000).map { #""f\#($0)":\#($0)"# }.joined(separator: ",") + #","op":"health"}"#, "bad_request"),
            LineCase("op missing", #"{"query":"java"}"#, "bad_request", mentions: "op"),
            LineCase("query missing", #"{"op":"search"}"#, "bad_request", mentions: "query"),
            LineCase("title missing", #"{"op":"map"}"#, "bad_request", mentions: "title"),
            LineCase("card missing", #"{"op":"show"}"#, "bad_request", mentions: "card"),
            LineCase("query given as title on search", #"{"op":"search","title":"java"}"#, "bad_request"),
        ])
    }

    /// A key given twice: whichever the decoder keeps, the answer is a defined one.
    func testDuplicateKeys() throws {
        try check([
            LineCase("op twice", #"{"op":"health","op":"search"}"#, "ok", "bad_request", "bad_json"),
            LineCase("query twice", #"{"op":"search","query":"java","query":5}"#, "ok", "bad_request", "bad_json"),
        ])
    }

    func testLimitAndOffsetOutOfRange() throws {
        let responses = try check([
            LineCase("limit a million", #"{"op":"search","query":"java","limit":1000000}"#, "bad_request", mentions: "limit"),
            LineCase("limit 101", #"{"op":"search","query":"java","limit":101}"#, "bad_request", mentions: "limit"),
            LineCase("limit 0", #"{"op":"search","query":"java","limit":0}"#, "bad_request", mentions: "limit"),
            LineCase("limit -1", #"{"op":"map","title":"java","limit":-1}"#, "bad_request", mentions: "limit"),
            LineCase("offset -1", #"{"op":"search","query":"java","offset":-1}"#, "bad_request", mentions: "offset"),
            LineCase("offset -2^31", #"{"op":"search","query":"java","offset":-2147483648}"#, "bad_request", mentions: "offset"),
            LineCase("offset 10001", #"{"op":"search","query":"java","offset":10001}"#, "bad_request", mentions: "offset"),
            LineCase("limit 100", #"{"op":"search","query":"développeur","limit":100}"#, "ok"),
            LineCase("offset 10000", #"{"op":"search","query":"développeur","offset":10000}"#, "ok"),
            LineCase("limit 100 offset 10000", #"{"op":"map","title":"développeur","limit":100,"offset":10000}"#, "ok"),
        ])
        XCTAssertEqual(responses["offset 10000"]?.results?.count, 0, "past the last card: no result")
        XCTAssertLessThanOrEqual(responses["limit 100"]?.results?.count ?? 0, 36)
    }
}
