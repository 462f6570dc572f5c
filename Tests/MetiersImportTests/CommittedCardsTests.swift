import Foundation
import MetiersImport
import Testing

/// `Index/cards/` must be exactly what the importer makes of the referentiel.
///
/// To regenerate the committed cards after changing the importer or the referentiel:
/// `METIERS_REGENERATE_CARDS=1 swift test --filter MetiersImportTests.CommittedCardsTests`
/// (this test then writes the cards with `CardStore.write` before comparing).
struct CommittedCardsTests {
    @Test func committedCardsAreTheImportOfTheReferentiel() throws {
        let cards = try Referentiel.cards()
        if ProcessInfo.processInfo.environment["METIERS_REGENERATE_CARDS"] == "1" {
            try CardStore.write(cards, to: Referentiel.cardsPath)
        }

        let files = try FileManager.default.contentsOfDirectory(atPath: Referentiel.cardsPath)
            .filter { $0.hasSuffix(".json") }
        #expect(files.count == ReferentielImporter.cardCount)
        #expect(Set(files) == Set(cards.map { "\($0.id).json" }))
        for card in cards {
            let path = Referentiel.cardsPath + "/\(card.id).json"
            let committed = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(committed == Data(try CardStore.encode(card).utf8), "\(path) differs from a re-import; regenerate with METIERS_REGENERATE_CARDS=1")
        }
        #expect(try CardStore.load(from: Referentiel.cardsPath) == cards)
    }
}
