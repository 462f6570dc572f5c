import Foundation
import Logging
import MetiersImport
import MetiersIndex
import MetiersSchema
import MetiersSearch
import MetiersTestSupport
import MetiersText
import XCTest

/// ROME beside the cards, on the real index: the finer code of each answer, the wider
/// vocabulary, the nearest métier outside the referentiel, lookups and filters.
final class RomeSearchTests: XCTestCase {
    var index: SearchIndex!

    override func setUpWithError() throws {
        index = try TestIndex.searchIndex()
    }

    /// The committed attribution table is what the indexer computes from the committed cards,
    /// vocabulary and ROME data: regenerate it with `metiers-index rome-table` when one changes.
    func testTheCommittedAttributionTableIsCurrent() throws {
        let cards = try CardStore.load(from: TestIndex.cardsPath)
        let computed = RomeAttribution.compute(cards: cards, catalog: TestIndex.romeCatalog, vocabulary: try TestIndex.vocabulary(), analyzer: try FrenchAnalyzer())
        let committed = try String(contentsOfFile: TestIndex.romePath + "/attribution.tsv", encoding: .utf8)
        XCTAssertEqual(committed, computed.table, "Index/rome/attribution.tsv is stale: run `metiers-index rome-table`")
        XCTAssertEqual(computed.entries.count, 498)
        for entry in computed.entries {
            if let card = entry.card { XCTAssertTrue(entry.candidates.contains(card), "\(entry.appellation.label) goes to a card of its code") }
        }
    }

    /// Every appellation of a card that ROME also lists under the card's codes: searching it
    /// answers the card with that ROME appellation (same title whatever the gender form).
    func testTheReferentielsOwnAppellationsGetTheirRomeAppellation() throws {
        let cards = try CardStore.load(from: TestIndex.cardsPath)
        var checked = 0
        for card in cards {
            let romeByKey = Dictionary(
                TestIndex.romeCatalog.appellations.filter { card.rome.contains($0.codeRomeParent) }
                    .map { (TitleKey.key(TitleKey.words(of: $0.label)), $0) }, uniquingKeysWith: { a, _ in a })
            for title in [card.name] + card.appellations.map(\.label) {
                let key = TitleKey.key(TitleKey.words(of: title))
                guard let expected = romeByKey[key] else { continue }
                let outcome = try index.search(SearchRequest(text: title, mode: .title, limit: 10))
                let hit = try XCTUnwrap(outcome.hits.first { $0.card.id == card.id }, "\(title): \(card.id) is answered")
                let found = try XCTUnwrap(hit.romeAppellation, "\(title) on \(card.id) has a ROME appellation")
                XCTAssertEqual(TitleKey.key(TitleKey.words(of: found.label)), key, "\(title) → \(found.label), expected \(expected.label)")
                XCTAssertTrue(card.rome.contains(found.codeRomeParent), "\(title): \(found.codeRomeParent) is one of \(card.rome)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 14, "the referentiel shares 14 titles with ROME under its cards' codes")
    }

    func testEveryResultsRomeAppellationIsUnderTheCardsCodes() throws {
        for query in ["développeur web", "administrateur systèmes linux", "chef de projet MOA", "technicien helpdesk", "Product Owner"] {
            for hit in try index.search(SearchRequest(text: query, limit: 10)).hits {
                if hit.card.rome.isEmpty { XCTAssertNil(hit.romeAppellation, "\(hit.card.id) has no ROME code") }
                if let appellation = hit.romeAppellation {
                    XCTAssertTrue(hit.card.rome.contains(appellation.codeRomeParent), "\(query): \(hit.card.id) has \(appellation.label)")
                }
            }
        }
        let web = try XCTUnwrap(index.search(SearchRequest(text: "développeur web")).hits.first)
        XCTAssertEqual(web.card.id, "concepteur-developpeur")
        XCTAssertEqual(web.romeAppellation?.codeRome, "M1855")
    }

    func testOutOfScopeQueriesNameTheNearestRomeMetier() throws {
        for (query, code) in [("boulanger", "D1102"), ("conducteur de bus", "N4103"), ("Technicien de maintenance industrielle", "I1304"), ("comptable", "M1203")] {
            let outcome = try index.search(SearchRequest(text: query))
            XCTAssertEqual(outcome.match, .none, query)
            XCTAssertTrue(outcome.hits.isEmpty, query)
            XCTAssertEqual(outcome.nearestRome?.metier.code, code, query)
        }
        // An in-scope answer names none.
        XCTAssertNil(try index.search(SearchRequest(text: "développeur java")).nearestRome)
    }

    /// IT jobs that ROME files under other codes (help desk under I1401) stay in scope.
    func testITTitlesFiledElsewhereInRomeStayInScope() throws {
        for query in ["technicien helpdesk", "Technicien de maintenance informatique", "Chef de projet infrastructure", "technicien support informatique"] {
            let outcome = try index.search(SearchRequest(text: query))
            XCTAssertNotEqual(outcome.match, .none, query)
        }
    }

    /// A word some ROME title has is a real word, not a typo to correct into a card's word.
    func testRomeWordsAreNotCorrectedAsTypos() throws {
        let outcome = try index.search(SearchRequest(text: "Architecte d'intérieur"))
        XCTAssertNil(outcome.didYouMean, "intérieur is not a misspelt ingénieur")
        XCTAssertEqual(outcome.match, .none)
        XCTAssertEqual(outcome.nearestRome?.metier.code, "F1102")
        XCTAssertEqual(try index.search(SearchRequest(text: "devloppeur java")).didYouMean, "developpeur java", "real typos are still corrected")
    }

    /// The parts of a ROME label around " - " are titles only when they have two distinct words.
    func testRomeTitleVariants() {
        XCTAssertEqual(RomeTitles.variants(of: "Développeur / Développeuse - jeux vidéo"), ["Développeur / Développeuse - jeux vidéo", "jeux vidéo"],
                       "not the bare \"Développeur / Développeuse\"")
        XCTAssertEqual(RomeTitles.variants(of: "Gestionnaire de contrats de vente - Contract manager"),
                       ["Gestionnaire de contrats de vente - Contract manager", "Gestionnaire de contrats de vente", "Contract manager"])
        XCTAssertEqual(RomeTitles.variants(of: "Analyste SOC (Security Operations Center)"), ["Analyste SOC (Security Operations Center)", "Analyste SOC "])
    }

    /// A title that two cards explain about as well extends neither: no coin toss pulls queries.
    func testCloseCallsAreNotAttributed() throws {
        let cards = try CardStore.load(from: TestIndex.cardsPath)
        let attribution = RomeAttribution.compute(cards: cards, catalog: TestIndex.romeCatalog, vocabulary: try TestIndex.vocabulary(), analyzer: try FrenchAnalyzer())
        for entry in attribution.entries where entry.card != nil && entry.candidates.count > 1 {
            XCTAssertGreaterThanOrEqual(entry.score, 1.1 * entry.runnerUpScore, entry.appellation.label)
        }
        let devops = try XCTUnwrap(attribution.entries.first { $0.appellation.label == "Ingénieur / Ingénieure DevOps" })
        XCTAssertNil(devops.card, "it scores the same on two M1805 cards")
        XCTAssertEqual(try index.search(SearchRequest(text: "Ingénieur DevOps")).hits.first?.card.id, "integrateur-d-exploitation",
                       "the vocabulary's reading of devops leads")
    }

    func testTheRomeFeatureSwitchesOff() throws {
        var options = RankingOptions()
        options.rome = false
        let plain = try TestIndex.searchIndex(options: options)
        XCTAssertNotEqual(try plain.search(SearchRequest(text: "Technicien de maintenance industrielle")).match, .none,
                          "without ROME, the card that lists 'technicien de maintenance' answers")
    }

    func testRomeFiltersAcceptBothGenerations() throws {
        let fine = try index.search(SearchRequest(text: "développeur", romeCodes: ["M1855"])).hits.map(\.card.id)
        XCTAssertEqual(fine.first, "concepteur-developpeur")
        let parent = try index.search(SearchRequest(text: "développeur", limit: 36, romeCodes: ["m1805"])).hits
        XCTAssertFalse(parent.isEmpty)
        XCTAssertTrue(parent.allSatisfy { $0.card.rome.contains("M1805") })
        XCTAssertTrue(try index.search(SearchRequest(text: "développeur", romeCodes: ["D1102"])).hits.isEmpty)
    }

    func testLookupsOfBothGenerations() throws {
        let parent = try index.romeCode("M1805")
        XCTAssertEqual(parent.lookup.metier.parent, "M1805")
        XCTAssertTrue(parent.lookup.fineCodes.contains { $0.code == "M1855" })
        XCTAssertTrue(parent.cards.contains { $0.id == "concepteur-developpeur" })
        XCTAssertTrue(parent.lookup.appellations.allSatisfy { $0.appellation.codeRome == "M1805" || $0.appellation.codeRomeParent == "M1805" })

        let fine = try index.romeCode("M1855")
        XCTAssertEqual(fine.lookup.metier.label, "Développeur / Développeuse web")
        XCTAssertEqual(fine.lookup.metier.parent, "M1805")
        XCTAssertEqual(fine.cards.map(\.id), ["concepteur-developpeur"])

        let baker = try index.romeCode("D1102")
        XCTAssertTrue(baker.cards.isEmpty)
        XCTAssertTrue(baker.lookup.appellations.contains { $0.appellation.label == "Boulanger / Boulangère" && $0.card == nil })

        XCTAssertThrowsError(try index.romeCode("A9999")) { error in
            XCTAssertEqual(error as? SearchError, .unknownRomeCode("A9999"))
        }
    }
}
