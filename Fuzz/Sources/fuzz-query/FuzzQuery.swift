// libFuzzer target: the query side of text analysis on arbitrary UTF-8 (invalid sequences are
// repaired the way the daemon's JSON decoding would refuse or a String would repair them).
//
// Properties checked on every input:
// - QueryText.parse either succeeds or reports a column inside the text; every token it
//   returns is a non-empty word with offsets inside the text;
// - Tokenizer.tokenize returns non-empty words at increasing positions from 1, with
//   `[start, end)` Unicode-scalar offsets inside the text, in order;
// - Folding.slug is empty or `[a-z0-9]+(-[a-z0-9]+)*`, and slug(slug(x)) == slug(x);
// - Folding.fold does not trap.
import FuzzSupport
import Foundation
import MetiersText

/// The entry point SwiftPM links as `main`: libFuzzer's driver, on `fuzz`.
@_cdecl("fuzz_query_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let scalars = text.unicodeScalars.count

    checkTokens(Tokenizer.tokenize(text), scalars: scalars, what: "tokenize")

    do {
        let query = try QueryText.parse(text)
        for token in query.words + query.excluded + query.phrases.flatMap({ $0 }) {
            require(!token.word.isEmpty, "an empty word in the parsed query")
        }
        for phrase in query.phrases {
            require(!phrase.isEmpty, "an empty phrase in the parsed query")
        }
        checkTokens(query.words, scalars: scalars, what: "parse words")
    } catch {
        let characters = text.count
        require(error.column >= 1 && error.column <= characters, "syntax error at column \(error.column) of a \(characters)-character query")
        require(!error.message.isEmpty)
    }

    let slug = Folding.slug(text)
    for scalar in slug.unicodeScalars {
        let v = scalar.value
        require((v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) || v == 0x2D, "slug holds U+\(String(v, radix: 16)): \(slug)")
    }
    require(!slug.hasPrefix("-") && !slug.hasSuffix("-") && !slug.contains("--"), "malformed slug: \(slug)")
    require(Folding.slug(slug) == slug, "slug is not idempotent: \(slug) -> \(Folding.slug(slug))")

    _ = Folding.fold(text)
    return 0
}

private func checkTokens(_ tokens: [Token], scalars: Int, what: String) {
    var previous: Token?
    for token in tokens {
        require(!token.word.isEmpty, "\(what): an empty word")
        require(token.start >= 0 && token.start < token.end && token.end <= scalars, "\(what): offsets [\(token.start), \(token.end)) outside a text of \(scalars) scalars")
        if let previous {
            require(token.start >= previous.end || token.start > previous.start, "\(what): tokens out of order")
        }
        previous = token
    }
    if what == "tokenize" {
        for (i, token) in tokens.enumerated() {
            require(token.position == UInt32(i + 1), "\(what): token \(i) at position \(token.position)")
        }
    }
}
