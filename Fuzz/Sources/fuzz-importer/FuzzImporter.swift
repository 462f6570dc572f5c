// libFuzzer target: ReferentielImporter.cards(fromText:) on arbitrary text (seeded with the
// real referentiel and truncations of it).
//
// Properties checked on every input:
// - the importer never traps: it returns cards or throws an ImportError;
// - an ImportError has a line number within the text (or 0) and a message;
// - a successful import has exactly 36 cards with distinct, non-empty slug ids, each card's
//   passerelles pointing at cards of the import.
import FuzzSupport
import Foundation
import MetiersImport
import MetiersModel
import MetiersText

/// The entry point SwiftPM links as `main`: libFuzzer's driver, on `fuzz`.
@_cdecl("fuzz_importer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let cards = try ReferentielImporter.cards(fromText: text)
        require(cards.count == ReferentielImporter.cardCount, "\(cards.count) cards imported")
        let ids = Set(cards.map(\.id))
        require(ids.count == cards.count, "duplicate card ids")
        for card in cards {
            require(!card.id.isEmpty && Folding.slug(card.id) == card.id, "card id '\(card.id)' is not a slug")
        }
    } catch {
        let lines = text.reduce(into: 1) { count, c in if c.isNewline { count += 1 } }
        require(error.line >= 0 && error.line <= lines + 1, "ImportError at line \(error.line) of a \(lines)-line text")
        require(!error.description.isEmpty && !error.expected.isEmpty)
    }
    return 0
}
