import Logging
import MetiersSchema
import MetiersSearch
import MetiersTestSupport
import MetiersText
import XCTest

/// The title suggester on the index of the committed cards, vocabulary and ROME data.
final class TitleSuggesterTests: XCTestCase {
    nonisolated(unsafe) static let index: SearchIndex = {
        do {
            return try SearchIndex(path: TestIndex.path, logger: Logger(label: "test"))
        } catch {
            fatalError("cannot open the test index: \(error)")
        }
    }()

    func titles(_ query: String, limit: Int = 8) throws -> [String] {
        try Self.index.suggest(query, limit: limit).map(\.title)
    }

    func testTheSuggesterHoldsEverySource() throws {
        let suggester = try Self.index.titleSuggester()
        // 13,120 ROME titles, the cards' ~180 titles and the vocabulary's aliases, merged.
        XCTAssertGreaterThan(suggester.count, 12_000)
    }

    func testAccentsCaseAndElisionsFold() throws {
        let accented = try titles("Développeur")
        XCTAssertFalse(accented.isEmpty)
        XCTAssertEqual(try titles("developpeur"), accented)
        XCTAssertEqual(try titles("DEVELOPPEUR"), accented)
        // "d'ouvrage": the elision is not a word; typed with or without it, the same title comes.
        let moa = try titles("maîtrise d'ouvr", limit: 20)
        XCTAssertTrue(moa.contains("Consultant en assistance à la maîtrise d'ouvrage") || moa.contains { Folding.fold($0).contains("maitrise d'ouvrage") }, "\(moa)")
        XCTAssertEqual(try titles("maîtrise ouvr", limit: 20), moa)
        // Without the accent, the same titles (in another order: `accentsAsTypedFirst` puts
        // those that write "maîtrise" first only when the accent is typed).
        XCTAssertEqual(Set(try titles("maitrise ouvr", limit: 20)), Set(moa))
    }

    func testGenderedFormsFold() throws {
        // A feminine form typed in full, or half-typed, finds the masculine title.
        XCTAssertEqual(try titles("développeuse"), try titles("développeur"))
        let administratrice = try Self.index.suggest("administratri", limit: 20)
        XCTAssertTrue(administratrice.contains { Folding.fold($0.title).hasPrefix("administrateur") }, "\(administratrice.map(\.title))")
        let technicienne = try titles("technicienne support")
        XCTAssertTrue(technicienne.contains("Technicien support"), "\(technicienne)")
    }

    func testLastWordIsAPrefixAndWordsMatchInAnyOrder() throws {
        let web = try Self.index.suggest("web dév", limit: 8)
        XCTAssertFalse(web.isEmpty)
        for s in web {
            let folded = Folding.fold(s.title)
            XCTAssertTrue(folded.contains("dev") && folded.contains("web"), s.title)
        }
        // A title that starts with the words typed comes first.
        let ordered = try Self.index.suggest("développeur we", limit: 20)
        let first = Folding.fold(try XCTUnwrap(ordered.first).title)
        XCTAssertTrue(first.hasPrefix("developpeur") && first.contains("web"), "\(ordered.map(\.title))")
        XCTAssertTrue(ordered.contains { Folding.fold($0.title).hasPrefix("webmaster developpeur") }, "the last word matches any word of the title")
        // No title has the whole word "dév": the words before the last are read as abbreviations.
        let abbreviated = try Self.index.suggest("dév web", limit: 8)
        XCTAssertFalse(abbreviated.isEmpty)
        XCTAssertTrue(abbreviated.allSatisfy { Folding.fold($0.title).contains("web") }, "\(abbreviated.map(\.title))")
    }

    func testATitleTheQueryStartsComesFirst() throws {
        let chef = try Self.index.suggest("chef de pro", limit: 5)
        let first = try XCTUnwrap(chef.first)
        XCTAssertTrue(Folding.fold(first.title).hasPrefix("chef de pro"), first.title)
        XCTAssertEqual(first.source, .referentiel)
        XCTAssertEqual(first.card, "chef-de-projet")
        // A function word being typed does not hide the title it leads to.
        XCTAssertTrue(try titles("chef d", limit: 20).contains("Chef de projet"))
    }

    func testAccentsTypedPreferTitlesWrittenSo() throws {
        // Typed with its accent, "dév" is French being typed: every suggestion writes "dév…",
        // though the referentiel's English "Development & partnership manager" folds alike.
        let typed = try titles("dév", limit: 5)
        XCTAssertEqual(typed.count, 5)
        for title in typed { XCTAssertTrue(title.lowercased().hasPrefix("dév"), "\(typed)") }
        // Without the accent nothing is preferred: the English title comes first by its source
        // (the referentiel's), the French ones after it.
        let plain = try titles("dev", limit: 5)
        XCTAssertEqual(plain.first, "Development & partnership manager")
        XCTAssertEqual(Array(plain.dropFirst()), Array(typed.prefix(4)))
        // Decomposed accents (e + U+0301) are the same letters as typed.
        XCTAssertEqual(try titles("de\u{301}v", limit: 5), typed)
        // The rule orders within a tier: "sécu" puts the French title the query starts first,
        // and a title that only contains "sécurité" still comes after those the query starts.
        let secu = try Self.index.suggest("sécu", limit: 8)
        XCTAssertEqual(secu.first?.title, "sécurité informatique")
        XCTAssertTrue(secu.contains { $0.title == "Security architect" }, "\(secu.map(\.title))")
    }

    func testTitlesOfOtherTradesHaveNoCardAndTheirRomeCode() throws {
        let bakery = try Self.index.suggest("boulang", limit: 5)
        let first = try XCTUnwrap(bakery.first)
        XCTAssertNil(first.card)
        XCTAssertNil(first.famille)
        XCTAssertEqual(first.source, .rome)
        XCTAssertEqual(first.rome, "D1102")
        // A title of the referentiel carries its card and famille.
        let urbaniste = try XCTUnwrap(try Self.index.suggest("urbanis", limit: 3).first)
        XCTAssertEqual(urbaniste.card, "urbaniste")
        XCTAssertNotNil(urbaniste.famille)
    }

    func testOneSuggestionPerFoldedTitle() throws {
        let all = try Self.index.suggest("développeur", limit: 20)
        let folded = all.map { Folding.fold($0.title) }
        XCTAssertEqual(Set(folded).count, folded.count, "\(folded)")
    }

    func testLimits() throws {
        XCTAssertEqual(try titles("d", limit: 3).count, 3)
        XCTAssertEqual(try titles("d", limit: 20).count, 20)
        XCTAssertEqual(try titles("d", limit: 500).count, TitleSuggester.maximumLimit)
        XCTAssertEqual(try titles("d", limit: 0).count, 1)
        XCTAssertTrue(try titles("zzqxw").isEmpty)
        XCTAssertThrowsError(try Self.index.suggest("  ?!  ", limit: 8)) { error in
            XCTAssertEqual(error as? SearchError, .emptyQuery)
        }
    }

    func testTheLongestQueriesStayCheap() throws {
        // 200 bytes each: many short words, a function word repeated, a common word repeated,
        // words no title has, and one long word.
        let queries = [
            (0..<100).map { _ in "d" }.joined(separator: " "),
            (0..<66).map { _ in "de" }.joined(separator: " "),
            String(repeating: "développeur ", count: 15),
            (0..<50).map { "x\($0 % 10)" }.joined(separator: " "),
            (0..<40).map { ["ingé", "chef", "dév", "web", "data"][$0 % 5] }.joined(separator: " "),
            String(repeating: "a", count: 200),
        ]
        let clock = ContinuousClock()
        for query in queries {
            XCTAssertLessThanOrEqual(query.utf8.count, 200)
            let started = clock.now
            _ = try Self.index.suggest(query, limit: 20)
            // A debug build, on a shared machine: the bound only catches a blow-up.
            XCTAssertLessThan(clock.now - started, .milliseconds(250), query)
        }
    }

    func testHandlesOfOneIndexShareOneSuggester() throws {
        let first = try SearchIndex(path: TestIndex.path, logger: Logger(label: "test"))
        let second = try SearchIndex(path: TestIndex.path, logger: Logger(label: "test"), sharing: first)
        XCTAssertTrue(try first.titleSuggester() === second.titleSuggester())
        XCTAssertEqual(try second.suggest("chef de pro", limit: 3), try first.suggest("chef de pro", limit: 3))
        let own = try SearchIndex(path: TestIndex.path, logger: Logger(label: "test"))
        XCTAssertFalse(try first.titleSuggester() === own.titleSuggester())
    }

    func testStoredTitlesRoundTrip() throws {
        let titles = [
            StoredTitle(title: "Développeur / Développeuse web", card: "concepteur-developpeur", rome: "M1855"),
            StoredTitle(title: "Boulanger\tde nuit", card: nil, rome: "D1102", rarelyUsed: true),
            StoredTitle(title: "AMOA", card: "consultant-en-assistance-a-la-maitrise-d-ouvrage", rome: nil),
        ]
        let decoded = try StoredTitles.decode(StoredTitles.encode(titles))
        XCTAssertEqual(decoded.count, 3)
        XCTAssertEqual(decoded[0], titles[0])
        XCTAssertEqual(decoded[1].title, "Boulanger de nuit", "a tab in a title is a space")
        XCTAssertEqual(decoded[1].rarelyUsed, true)
        XCTAssertNil(decoded[2].rome)
        XCTAssertThrowsError(try StoredTitles.decode("only a title\n")) { error in
            XCTAssertEqual((error as? StoredTitlesError)?.line, 1)
        }
    }

    func testSimilarSharesWordsNotStems() throws {
        let similar = try Self.index.similar(to: "concepteur-developpeur", limit: 3)
        let shared = similar.flatMap(\.shared)
        XCTAssertFalse(shared.isEmpty)
        // A stem cut inside a word ("programm", "specif") is not shown: words people write are.
        XCTAssertFalse(shared.contains("programm"), "\(shared)")
        XCTAssertFalse(shared.contains("specif"), "\(shared)")
    }
}
