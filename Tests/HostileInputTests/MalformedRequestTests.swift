import Foundation
import XCTest

/// Lines that are not requests: broken JSON, bytes that are not UTF-8, NUL bytes, JSON that is
/// not an object, deep nesting, numbers out of every range. Each gets its documented error code
/// and the connection carries on.
final class MalformedRequestTests: HostileTestCase {
    func testMalformedAndTruncatedJSONIsBadJSON() throws {
        try check([
            LineCase("lone brace", "{", "bad_json"),
            LineCase("closing brace", "}", "bad_json"),
            LineCase("truncated object", #"{"op":"health""#, "bad_json"),
            LineCase("truncated inside a string", #"{"op":"search","query":"java"#, "bad_json"),
            LineCase("truncated after a colon", #"{"op":"#, "bad_json"),
            LineCase("missing value", #"{"op":}"#, "bad_json"),
            LineCase("trailing comma", #"{"op":"health",}"#, "bad_json"),
            LineCase("single quotes", "{'op':'health'}", "bad_json"),
            LineCase("bare key", #"{op:"health"}"#, "bad_json"),
            LineCase("extra closing brace", #"{"op":"health"}}"#, "bad_json"),
            LineCase("two objects on one line", #"{"op":"health"}{"op":"health"}"#, "bad_json"),
            LineCase("missing comma", #"{"op":"health" "id":1}"#, "bad_json"),
            LineCase("truncated literal", "tru", "bad_json"),
            LineCase("closing bracket", "]", "bad_json"),
            LineCase("invalid escape", #"{"op":"search","query":"a\x"}"#, "bad_json"),
            LineCase("truncated unicode escape", #"{"op":"search","query":"\u12"}"#, "bad_json"),
            LineCase("comment", #"/* hi */ {"op":"health"}"#, "bad_json"),
            LineCase("NaN", #"{"op":"search","query":"x","limit":NaN}"#, "bad_json"),
            LineCase("Infinity", #"{"op":"search","query":"x","limit":Infinity}"#, "bad_json"),
            LineCase("hex number", #"{"op":"search","query":"x","limit":0x10}"#, "bad_json"),
            LineCase("plus sign", #"{"op":"search","query":"x","limit":+5}"#, "bad_json"),
            LineCase("plain text", "GET / HTTP/1.1", "bad_json"),
            LineCase("only spaces and a dot", "  .  ", "bad_json"),
        ])
    }

    func testJSONThatIsNotAnObjectIsBadRequest() throws {
        try check([
            LineCase("empty array", "[]", "bad_request"),
            LineCase("array of a request", #"[{"op":"health"}]"#, "bad_request"),
            LineCase("string", #""health""#, "bad_request"),
            LineCase("null", "null", "bad_request"),
            LineCase("number", "42", "bad_request"),
            LineCase("boolean", "true", "bad_request"),
            LineCase("empty object", "{}", "bad_request", mentions: "op"),
        ])
    }

    func testInvalidUTF8IsBadJSON() throws {
        let head = Array(#"{"op":"search","query":""#.utf8)
        let tail = Array(#""}"#.utf8)
        try check([
            LineCase("0xFF in a string", bytes: head + [0xFF] + tail, "bad_json"),
            LineCase("0xFE 0xFF in a string", bytes: head + [0xFE, 0xFF] + tail, "bad_json"),
            LineCase("lone continuation byte", bytes: head + [0x80] + tail, "bad_json"),
            LineCase("overlong slash", bytes: head + [0xC0, 0xAF] + tail, "bad_json"),
            LineCase("overlong NUL", bytes: head + [0xC0, 0x80] + tail, "bad_json"),
            LineCase("UTF-8-encoded surrogate", bytes: head + [0xED, 0xA0, 0x80] + tail, "bad_json"),
            LineCase("beyond U+10FFFF", bytes: head + [0xF4, 0x90, 0x80, 0x80] + tail, "bad_json"),
            LineCase("truncated sequence before the quote", bytes: head + Array("java".utf8) + [0xE2, 0x82] + tail, "bad_json"),
            LineCase("Latin-1 é", bytes: head + Array("d".utf8) + [0xE9] + Array("veloppeur".utf8) + tail, "bad_json"),
            LineCase("invalid byte in a key", bytes: Array(#"{"o"#.utf8) + [0xFF] + Array(#"p":"health"}"#.utf8), "bad_json"),
            LineCase("invalid byte outside strings", bytes: Array(#"{"op":"health"}"#.utf8) + [0xFF], "bad_json"),
            LineCase("only invalid bytes", bytes: [0xFF, 0xFE, 0xFD], "bad_json"),
        ])
    }

    /// JSON in UTF-16 is not UTF-8: refused, not silently decoded.
    func testUTF16IsNotAccepted() throws {
        let utf16 = Array(#"{"op":"health","id":"utf16"}"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        try check([
            LineCase("UTF-16LE without BOM", bytes: utf16, "bad_json"),
            LineCase("UTF-16LE with BOM", bytes: [0xFF, 0xFE] + utf16, "bad_json"),
        ])
    }

    func testAUTF8ByteOrderMarkIsHarmless() throws {
        try check([LineCase("UTF-8 BOM", bytes: [0xEF, 0xBB, 0xBF] + Array(#"{"op":"health"}"#.utf8), "ok", "bad_json")])
    }

    func testNULBytesInsideAndOutsideStrings() throws {
        let responses = try check([
            LineCase("NUL alone", bytes: [0x00], "bad_json"),
            LineCase("NUL after the object", bytes: Array(#"{"op":"health"}"#.utf8) + [0x00], "bad_json"),
            LineCase("NUL before the object", bytes: [0x00] + Array(#"{"op":"health"}"#.utf8), "bad_json"),
            LineCase("raw NUL inside a string", bytes: Array(#"{"op":"search","query":"java"#.utf8) + [0x00] + Array(#"dev"}"#.utf8), "bad_json"),
            LineCase("raw NUL inside a key", bytes: Array(#"{"o"#.utf8) + [0x00] + Array(#"p":"health"}"#.utf8), "bad_json"),
            LineCase("raw control character in a string", bytes: Array(#"{"op":"search","query":"java"#.utf8) + [0x07] + Array(#""}"#.utf8), "bad_json"),
            LineCase("escaped NUL inside a query", #"{"op":"search","query":"développeur\u0000java"}"#, "ok"),
            LineCase("escaped NUL in a card id", #"{"op":"show","card":"concepteur-developpeur\u0000"}"#, "not_found"),
            LineCase("escaped NUL in a similar card id", #"{"op":"similar","card":"concepteur-developpeur\u0000"}"#, "not_found"),
            LineCase("escaped NUL and more in a card id", #"{"op":"show","card":"concepteur-developpeur\u0000../../x"}"#, "not_found"),
            LineCase("escaped NUL in a key", #"{"op\u0000":"health"}"#, "bad_request"),
            LineCase("escaped NUL as the op", #"{"op":"health\u0000"}"#, "unknown_op"),
            LineCase("escaped NUL as the id", #"{"op":"health","id":"\u0000"}"#, "ok"),
        ])
        XCTAssertEqual(responses["escaped NUL as the id"]?["id"] as? String, "\u{0}", "the id comes back as it was sent")
    }

    /// 100,000 `[` exceed the suite's line limit; under it, nesting deeper than 32 levels is
    /// refused as `bad_request` (naming the limit) before any decoding, so it costs one scan of
    /// the line; nesting within the limit is decoded and judged as a request.
    func testDeeplyNestedJSON() throws {
        let maxLine = try daemon.maxLineBytes
        let deep = String(repeating: "[", count: 100_000)
        let client = try connect()
        try client.send(deep)
        if deep.utf8.count > maxLine {
            let ending = client.waitForClose(timeout: 10)
            XCTAssertEqual(ending.lines.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }?.errorCode, "line_too_long", "\(ending.lines)")
            XCTAssertTrue(ending.closed, "closed after line_too_long")
        } else {
            XCTAssertEqual(try client.readResponse().errorCode, "bad_request")
        }
        let fits = min(60_000, maxLine - 100)
        try check([
            LineCase("60,000 [", String(repeating: "[", count: fits), "bad_request", mentions: "32"),
            LineCase("60,000 [ closed", String(repeating: "[", count: fits / 2) + String(repeating: "]", count: fits / 2), "bad_request", mentions: "32"),
            LineCase("12,000 nested objects", String(repeating: #"{"a":"#, count: fits / 5), "bad_request", mentions: "32"),
            LineCase("nesting inside a request field", #"{"op":"health","x":"# + String(repeating: "[", count: fits - 40), "bad_request", mentions: "32"),
            LineCase("33 levels", String(repeating: "[", count: 33) + String(repeating: "]", count: 33), "bad_request", mentions: "32"),
            LineCase("32 levels", String(repeating: "[", count: 32) + String(repeating: "]", count: 32), "bad_request", mentions: "must be a JSON object"),
            LineCase("brackets inside a string do not count", #"{"op":"search","query":""# + String(repeating: "[", count: 500) + #"\"\""}"#, "empty_query"),
            LineCase("escaped quotes inside a string", #"{"op":"show","card":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\\"}"#, "not_found"),
            LineCase("nesting closed inside an unknown field", #"{"op":"health","x":"# + String(repeating: "[", count: 20) + String(repeating: "]", count: 20) + "}", "bad_request", mentions: "x"),
            LineCase("nesting as the query", #"{"op":"search","query":"# + String(repeating: "[", count: 20) + String(repeating: "]", count: 20) + "}", "bad_request", mentions: "query"),
        ], timeout: 20)
    }

    func testHugeNumbers() throws {
        let responses = try check([
            LineCase("limit 1e400", #"{"op":"search","query":"java","limit":1e400}"#, "bad_request", "bad_json"),
            LineCase("limit 10^26", #"{"op":"search","query":"java","limit":99999999999999999999999999}"#, "bad_request", mentions: "limit"),
            LineCase("limit -10^20", #"{"op":"search","query":"java","limit":-99999999999999999999}"#, "bad_request", mentions: "limit"),
            LineCase("limit 2^63", #"{"op":"search","query":"java","limit":9223372036854775808}"#, "bad_request", mentions: "limit"),
            LineCase("limit Int64.min", #"{"op":"search","query":"java","limit":-9223372036854775808}"#, "bad_request", mentions: "limit"),
            LineCase("offset 1e308", #"{"op":"search","query":"java","offset":1e308}"#, "bad_request", mentions: "offset"),
            LineCase("offset -1e308", #"{"op":"search","query":"java","offset":-1e308}"#, "bad_request", mentions: "offset"),
            LineCase("limit 1e-400", #"{"op":"search","query":"java","limit":1e-400}"#, "bad_request", "bad_json"),
            LineCase("limit of 5,000 digits", #"{"op":"search","query":"java","limit":"# + String(repeating: "9", count: 5_000) + "}", "bad_request", "bad_json"),
            LineCase("v 1e400", #"{"op":"health","v":1e400}"#, "bad_request", "bad_json", "unsupported_version"),
            LineCase("v 2^64", #"{"op":"health","v":18446744073709551616}"#, "bad_request", "unsupported_version"),
            LineCase("limit 1e2 is 100", #"{"op":"search","query":"java","limit":1e2}"#, "ok"),
            LineCase("limit 5.0 is 5", #"{"op":"search","query":"développeur","limit":5.0}"#, "ok"),
            LineCase("id 10^30", #"{"op":"health","id":1000000000000000000000000000000}"#, "ok"),
            LineCase("id 1e400", #"{"op":"health","id":1e400}"#, "bad_request", "bad_json"),
            LineCase("id Int64.max", #"{"op":"health","id":9223372036854775807}"#, "ok"),
            LineCase("id -0.0", #"{"op":"health","id":-0.0}"#, "ok"),
        ])
        XCTAssertEqual(responses["id Int64.max"]?["id"] as? Int, Int.max, "an integer id comes back exactly")
        let five = responses["limit 5.0 is 5"]?.results?.count ?? 0
        XCTAssertTrue((1...5).contains(five), "limit 5.0 means 5: \(five) results")
    }
}
