import Logging
import MetiersImport
import MetiersIndex
import MetiersModel
import MetiersSchema
import MetiersSearch
import MetiersTestSupport
import Foundation
import XCTest

/// The search library on the real index of the committed cards.
final class SearchIndexTests: XCTestCase {
    var index: SearchIndex!

    override func setUpWithError() throws {
        index = try TestIndex.searchIndex()
    }

    func ids(_ text: String, mode: SearchRequest.Mode = .search, limit: Int = 5) throws -> [String] {
        try index.search(SearchRequest(text: text, mode: mode, limit: limit)).hits.map(\.card.id)
    }

    func testTheIndexKnowsItsCards() throws {
        XCTAssertEqual(index.cardCount, 36)
        XCTAssertEqual(index.indexVersion.count, 16)
        XCTAssertEqual(try index.card(id: "directeur-de-projet").rome, ["M1803"])
        XCTAssertThrowsError(try index.card(id: "boulanger")) { error in
            XCTAssertEqual(error as? SearchError, .notFound(id: "boulanger"))
        }
    }

    /// A temporary directory removed after the test.
    func scratchRoot() -> String {
        let root = TestIndex.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        return root
    }

    /// The index version is the content's: two builds of the same cards, vocabulary and model
    /// have it, built at different times; one word changed in one card changes it.
    func testTheIndexVersionIsTheContents() throws {
        let cards = try CardStore.load(from: TestIndex.cardsPath)
        let model = try TestIndex.rankingModel()
        let builder = IndexBuilder(logger: Logger(label: "test"))
        let root = scratchRoot()
        let first = try builder.build(cards: cards, rankingModel: model, root: root + "/a")
        let again = try builder.build(cards: cards, rankingModel: model, root: root + "/b")
        XCTAssertEqual(first.indexVersion, again.indexVersion)
        XCTAssertEqual(try SearchIndex(path: root + "/a", logger: Logger(label: "test")).indexVersion, first.indexVersion)
        var edited = cards
        edited[0].descriptionSynthetique += " Modifié."
        XCTAssertNotEqual(try builder.build(cards: edited, rankingModel: model, root: root + "/c").indexVersion, first.indexVersion)
        XCTAssertNotEqual(try builder.build(cards: cards, rankingModel: model + " ", root: root + "/d").indexVersion, first.indexVersion)
    }

    /// A suggested title carries the card `titleCards` answers for it (none when it answers
    /// none), asked once per title that has a card; a failing `titleCards` fails the build and
    /// leaves the previous version served.
    func testSuggestedTitlesCarryTheCardsTheSearchGives() throws {
        let (cards, vocabulary, root) = (try CardStore.load(from: TestIndex.cardsPath), try TestIndex.vocabulary(), scratchRoot())
        let builder = IndexBuilder(logger: Logger(label: "test"))
        var asked: [String] = []
        let report = try builder.build(cards: cards, vocabulary: vocabulary, rankingModel: try TestIndex.rankingModel(), root: root) { path, titles in
            XCTAssertTrue(FileManager.default.fileExists(atPath: path + "/iamglass"), "asked of the written version")
            asked = titles
            return ["hotline": "responsable-support", "helpdesk": "support-clients"]
        }
        XCTAssertEqual(Set(asked), Set(vocabulary.rows.filter { !$0.cards.isEmpty }.map(\.alias)))
        XCTAssertEqual(asked.count, Set(asked).count, "each title once")
        XCTAssertEqual(report.titleCardsAsked, asked.count)
        XCTAssertEqual(report.titleCardChanges, asked.count - 1, "all but helpdesk, whose card is the table's")
        let served = try SearchIndex(path: root, logger: Logger(label: "test"))
        func offered(_ title: String) throws -> TitleSuggestion? { try served.suggest(title, limit: 20).first { $0.title == title } }
        XCTAssertEqual(try offered("hotline")?.card, "responsable-support")
        XCTAssertEqual(try offered("hotline")?.famille, try served.card(id: "responsable-support").famille)
        XCTAssertEqual(try offered("helpdesk")?.card, "support-clients")
        let dev = try XCTUnwrap(try offered("dev"))
        XCTAssertNil(dev.card, "a title the search answers none for leads to no card")
        XCTAssertNil(dev.famille)

        struct Refused: Error {}
        XCTAssertThrowsError(try builder.build(cards: cards, vocabulary: vocabulary, rankingModel: try TestIndex.rankingModel(), root: root) { _, _ in
            throw Refused()
        }) { error in
            guard case .titleCards = error as? IndexBuildError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try SearchIndex(path: root, logger: Logger(label: "test")).indexVersion, report.indexVersion)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix("v") }, [URL(fileURLWithPath: report.databasePath).lastPathComponent])
    }

    /// What `map` answers for each title, read as written (a stray quote is punctuation); a
    /// title answered `none` or with no word to search leads to no card.
    func testLeadingCardsAreMapsFirstAnswers() throws {
        let cards = try index.leadingCards(of: ["Architecte logiciel", "Boulanger", "chef \"de projet", "-"])
        XCTAssertEqual(cards, [
            "Architecte logiciel": try XCTUnwrap(try ids("Architecte logiciel", mode: .title).first),
            "chef \"de projet": try XCTUnwrap(try ids("chef de projet", mode: .title).first),
        ])
        XCTAssertEqual(cards["Architecte logiciel"], "architecte-technique")
        XCTAssertEqual(cards["chef \"de projet"], "chef-de-projet")
    }

    /// Accents, case, plural and gender variants reach the same card.
    func testVariantsReachTheSameCard() throws {
        for query in ["développeur java", "developpeur", "Développeur", "développeurs", "DEVELOPPEUSE", "Développeuse Java"] {
            XCTAssertEqual(try ids(query).first, "concepteur-developpeur", query)
        }
        XCTAssertEqual(try ids("Ingénieur d'affaires", mode: .title).first, "commercial")
        XCTAssertEqual(try ids("ingenieur d’affaires", mode: .title).first, "commercial")
        XCTAssertEqual(try ids("AFFAIRES INGÉNIEUR", mode: .title).first, "commercial")
    }

    /// "SI", a word no card writes, is the système d'information the cards describe.
    func testSIIsTheInformationSystem() throws {
        for query in ["Architecte SI", "architecte si"] {
            XCTAssertEqual(try ids(query).first, "architecte-systeme-d-information", query)
            XCTAssertEqual(try ids(query, mode: .title).first, "architecte-systeme-d-information", query)
        }
        XCTAssertEqual(try ids("Urbaniste SI").first, "urbaniste")
    }

    func testUnaccentedWordsFindAccentedText() throws {
        let accented = try index.search(SearchRequest(text: "sécurité")).hits.map(\.card.id)
        let plain = try index.search(SearchRequest(text: "securite")).hits.map(\.card.id)
        XCTAssertFalse(accented.isEmpty)
        XCTAssertEqual(accented, plain)
    }

    func testElisionsAreSplitAtQueryTime() throws {
        XCTAssertEqual(try ids("l'infrastructure"), try ids("infrastructure"))
    }

    func testResultsExplainTheirMatch() throws {
        let hit = try XCTUnwrap(index.search(SearchRequest(text: "développeur java")).hits.first)
        XCTAssertEqual(hit.card.id, "concepteur-developpeur")
        // What matched is the query's word as analysed (no card says "java"), with each field it was found in.
        XCTAssertEqual(Set(hit.matched.map(\.term)), ["developpeur"], "\(hit.matched)")
        XCTAssertTrue(hit.matched.contains { $0.field == "title" }, "\(hit.matched)")
        XCTAssertEqual(Set(hit.matched.map { "\($0.term) \($0.field)" }).count, hit.matched.count, "no pair twice: \(hit.matched)")
    }

    func testPagingIsConsistent() throws {
        let all = try ids("chef de projet", limit: 10)
        let page2 = try index.search(SearchRequest(text: "chef de projet", limit: 5, offset: 5)).hits.map(\.card.id)
        XCTAssertEqual(Array(all.dropFirst(5)), page2)
    }

    func testPhrasesAndExclusions() throws {
        let phrase = try ids(#""chef de projet test""#)
        XCTAssertEqual(phrase.first, "chef-de-projet-test")
        let excluded = try ids("chef de projet -test", limit: 36)
        XCTAssertFalse(excluded.contains("chef-de-projet-test"))
        XCTAssertFalse(excluded.contains("analyste-test-et-validation"))
    }

    func testBadQueriesAreTypedErrors() {
        XCTAssertThrowsError(try index.search(SearchRequest(text: "  , ; le la  "))) { error in
            XCTAssertEqual(error as? SearchError, .emptyQuery)
        }
        XCTAssertThrowsError(try index.search(SearchRequest(text: #"chef "de projet"#))) { error in
            guard case .querySyntax(let message)? = error as? SearchError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("column 6"), message)
        }
    }

    func testAMissingIndexIsAClearError() {
        XCTAssertThrowsError(try SearchIndex(path: "/nonexistent/db", logger: Logger(label: "test"))) { error in
            guard case .indexUnavailable(let message)? = error as? SearchError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("metiers-index"), message)
        }
    }

    /// Every title of the referentiel (seed file) is answered with an acceptable card first.
    func testSeedAppellationsMapFirst() throws {
        guard let rows = TestIndex.evalRows("seed-appellations.tsv") else {
            throw XCTSkip("../shared/eval/seed-appellations.tsv is not beside the repository")
        }
        XCTAssertEqual(rows.count, 180)
        var misses: [String] = []
        for (query, expected) in rows {
            for mode in [SearchRequest.Mode.title, .search] {
                let first = try ids(query, mode: mode, limit: 1).first
                if first.map({ !expected.contains($0) }) ?? true { misses.append("\(mode) \(query): got \(first ?? "nothing")") }
            }
        }
        XCTAssertEqual(misses, [])
    }
}

/// Relevance behaviours of issue-level importance: abstention, spelling, confidence, snippets,
/// and that the vocabulary never overrides the referentiel's own titles.
final class RelevanceTests: XCTestCase {
    var index: SearchIndex!

    override func setUpWithError() throws {
        index = try TestIndex.searchIndex()
    }

    func testOutOfScopeQueriesAreAnsweredWithNothing() throws {
        for query in ["boulanger", "conducteur de bus"] {
            let outcome = try index.search(SearchRequest(text: query))
            XCTAssertEqual(outcome.hits, [], query)
            XCTAssertEqual(outcome.match, .none, query)
        }
    }

    func testMisspelledWordsAreCorrected() throws {
        let outcome = try index.search(SearchRequest(text: "devloppeur java"))
        XCTAssertEqual(outcome.hits.first?.card.id, "concepteur-developpeur")
        XCTAssertEqual(outcome.didYouMean, "developpeur java")
        XCTAssertEqual(try index.search(SearchRequest(text: "ingenieur reseua")).didYouMean, "ingenieur reseau")
        // A product the cards do not name is no typo of a word only their prose writes.
        for query in ["administrateur oracle", "ingénieur datastage"] {
            let outcome = try index.search(SearchRequest(text: query, mode: .title))
            XCTAssertNil(outcome.didYouMean, query)
            XCTAssertFalse(outcome.hits.isEmpty, query)
        }
    }

    func testConfidenceIsAProbabilityAndFollowsTheRanking() throws {
        let hits = try index.search(SearchRequest(text: "administrateur systèmes et réseaux", limit: 10)).hits
        XCTAssertFalse(hits.isEmpty)
        for hit in hits { XCTAssertTrue((0...1).contains(hit.confidence)) }
        XCTAssertEqual(hits.map(\.confidence), hits.map(\.confidence).sorted(by: >))
        XCTAssertEqual(hits.first?.matchedTitle, "Administrateur systèmes et réseaux")
    }

    func testSnippetsMarkTheMatchedWords() throws {
        let hit = try XCTUnwrap(index.search(SearchRequest(text: "sauvegarde des données")).hits.first)
        let snippet = try XCTUnwrap(hit.snippet)
        XCTAssertFalse(snippet.highlights.isEmpty)
        let scalars = Array(snippet.text.unicodeScalars)
        for range in snippet.highlights {
            let word = String(String.UnicodeScalarView(scalars[range[0]..<range[1]]))
            XCTAssertTrue(["sauvegarde", "sauvegardes", "données", "donnée"].contains(word.lowercased()), word)
        }
    }

    func testPostingNoiseDoesNotDriveTheRanking() throws {
        let plain = try index.search(SearchRequest(text: "administrateur systèmes linux")).hits.first?.card.id
        let noisy = try index.search(SearchRequest(text: "administrateur systèmes linux H/F CDI Paris télétravail 45k€ salaire")).hits.first?.card.id
        XCTAssertEqual(plain, noisy)
    }

    /// An alias of the vocabulary that is also one of the referentiel's titles must not pull that
    /// title away from its own card.
    func testTheVocabularyNeverOverridesAnAppellation() throws {
        let vocabulary = try TestIndex.vocabulary()
        let cards = try CardStore.load(from: TestIndex.cardsPath)
        var owner: [String: Set<String>] = [:]
        for card in cards {
            for title in ([card.name] + card.appellations.map(\.label)).flatMap(TitleKey.variants) {
                owner[TitleKey.key(TitleKey.words(of: title)), default: []].insert(card.id)
            }
        }
        var conflicts: [String] = []
        for entry in vocabulary.entries {
            for alias in entry.aliases {
                guard let ids = owner[TitleKey.key(TitleKey.words(of: alias))] else { continue }
                let first = try index.search(SearchRequest(text: alias, mode: .title, limit: 1)).hits.first?.card.id
                if first.map({ !ids.contains($0) }) ?? true { conflicts.append("\(alias): \(first ?? "nothing") instead of \(ids.sorted())") }
            }
        }
        XCTAssertEqual(conflicts, [])
    }

    func testEachFeatureCanBeSwitchedOff() throws {
        for name in RankingOptions.featureNames {
            XCTAssertNotNil(RankingOptions().disabling(name), name)
        }
        XCTAssertNil(RankingOptions().disabling("magic"))
        // Without abstention, a weak match is answered instead of "none".
        let weak = "chargée de recrutement"
        XCTAssertEqual(try index.search(SearchRequest(text: weak)).match, .none)
        index.options = RankingOptions().disabling("abstention")!
        XCTAssertFalse(try index.search(SearchRequest(text: weak)).hits.isEmpty)
    }
}
