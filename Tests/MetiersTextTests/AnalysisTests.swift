@testable import MetiersText
import Foundation
import XCTest

final class FoldingTests: XCTestCase {
    func testFoldingRemovesCaseAccentsAndLigatures() {
        XCTAssertEqual(Folding.fold("Développeur"), "developpeur")
        XCTAssertEqual(Folding.fold("DÉVELOPPEUSE"), "developpeuse")
        XCTAssertEqual(Folding.fold("maîtrise d’œuvre"), "maitrise d'oeuvre")
        XCTAssertEqual(Folding.fold("Sécurité"), "securite")
        XCTAssertEqual(Folding.fold("ÇA À Ü ñ"), "ca a u n")
        // Already-decomposed input (e + combining acute) folds the same.
        XCTAssertEqual(Folding.fold("se\u{0301}curite\u{0301}"), "securite")
    }

    func testSlugIsTheIdRule() {
        XCTAssertEqual(Folding.slug("Consultant en assistance à la maîtrise d'ouvrage"), "consultant-en-assistance-a-la-maitrise-d-ouvrage")
        XCTAssertEqual(Folding.slug("Chargé des méthodes outils et qualité"), "charge-des-methodes-outils-et-qualite")
        XCTAssertEqual(Folding.slug("Administrateur d'infrastructure"), "administrateur-d-infrastructure")
        XCTAssertEqual(Folding.slug("  --Œuvre  "), "oeuvre")
    }
}

final class TokenizerTests: XCTestCase {
    func words(_ text: String) -> [String] { Tokenizer.tokenize(text).map(\.word) }

    func testElisionsAreSplit() {
        XCTAssertEqual(words("l'infrastructure"), ["infrastructure"])
        XCTAssertEqual(words("Administrateur d’infrastructure"), ["administrateur", "infrastructure"])
        XCTAssertEqual(words("jusqu'au déploiement qu'il"), ["au", "deploiement", "il"])
        // An apostrophe that is not an elision still separates words.
        XCTAssertEqual(words("aujourd'hui"), ["aujourd", "hui"])
    }

    func testPunctuationAndHyphensSeparateWords() {
        XCTAssertEqual(words("avant-vente, MOA/MOE"), ["avant", "vente", "moa", "moe"])
        XCTAssertEqual(words("Dev full stack H/F"), ["dev", "full", "stack", "h", "f"])
    }

    func testProgrammingLanguagesKeepTheirSigns() {
        XCTAssertEqual(words("C++ et C# ou F#"), ["c++", "et", "c#", "ou", "f#"])
    }

    func testInclusiveWritingKeepsTheBase() {
        XCTAssertEqual(words("consultant·e"), ["consultant"])
        XCTAssertEqual(words("Développeur.euse Java"), ["developpeur", "java"])
        XCTAssertEqual(words("ingénieur(e) système"), ["ingenieur", "systeme"])
        XCTAssertEqual(words("administrateur·rice réseaux"), ["administrateur", "reseaux"])
        XCTAssertEqual(words("e-commerce"), ["e", "commerce"])
    }

    func testPositionsAndOffsets() {
        let tokens = Tokenizer.tokenize("Chef de projet")
        XCTAssertEqual(tokens.map(\.position), [1, 2, 3])
        XCTAssertEqual(tokens[2].start, 8)
        XCTAssertEqual(tokens[2].end, 14)
        let accented = Tokenizer.tokenize("Œuvre développée")
        XCTAssertEqual(accented.map(\.word), ["oeuvre", "developpee"])
        XCTAssertEqual(accented[1].start, 6)  // offsets count the source's scalars, not folded ones
    }

    func testFeminineTitlesMeetTheMasculine() {
        XCTAssertEqual(FrenchWords.masculine("developpeuse"), "developpeur")
        XCTAssertEqual(FrenchWords.masculine("administratrice"), "administrateur")
        XCTAssertEqual(FrenchWords.masculine("technicienne"), "technicien")
        XCTAssertEqual(FrenchWords.masculine("ingenieure"), "ingenieur")
        XCTAssertEqual(FrenchWords.masculine("cheffe"), "chef")
        XCTAssertEqual(FrenchWords.masculine("conseillere"), "conseiller")
        XCTAssertEqual(FrenchWords.masculine("java"), "java")
    }

    /// Endings other words share are folded only on request, for a title's second reading.
    func testAgreementEndingsFoldOnlyOnRequest() {
        let expected: [String: String?] = [
            "consultante": "consultant", "referente": "referent", "experte": "expert", "chargee": "charge",
            "commerciales": "commercials", "fonctionnelle": "fonctionnel", "vente": nil, "consultant": nil,
        ]
        for (word, folded) in expected { XCTAssertEqual(FrenchWords.agreementFolded(word), folded, word) }
        // The index keeps such words as written: "passerelle" and "donnée" are no feminines.
        for word in ["passerelle", "donnee", "consultante"] { XCTAssertEqual(FrenchWords.masculine(word), word) }
    }

    func testFeminineFormsAreTheReverseOfMasculine() {
        XCTAssertTrue(FrenchWords.feminineForms(of: "developpeur").contains("developpeuse"))
        XCTAssertTrue(FrenchWords.feminineForms(of: "administrateur").contains("administratrice"))
        XCTAssertTrue(FrenchWords.feminineForms(of: "technicien").contains("technicienne"))
        XCTAssertTrue(FrenchWords.feminineForms(of: "ingenieur").contains("ingenieure"))
        XCTAssertTrue(FrenchWords.feminineForms(of: "chef").contains("cheffe"))
        XCTAssertTrue(FrenchWords.feminineForms(of: "conseiller").contains("conseillere"))
        XCTAssertEqual(FrenchWords.feminineForms(of: "java"), [])
        for word in ["developpeur", "administrateur", "technicien", "chef", "conseiller"] {
            for form in FrenchWords.feminineForms(of: word) {
                XCTAssertEqual(FrenchWords.masculine(form), word, form)
            }
        }
    }
}

final class QueryTextTests: XCTestCase {
    func testWordsPhrasesAndExclusions() throws {
        let q = try QueryText.parse(#"chef "projet test" -production java"#)
        XCTAssertEqual(q.words.map(\.word), ["chef", "java"])
        XCTAssertEqual(q.phrases.map { $0.map(\.word) }, [["projet", "test"]])
        XCTAssertEqual(q.excluded.map(\.word), ["production"])
    }

    func testHyphenInsideAWordIsNotAnExclusion() throws {
        let q = try QueryText.parse("avant-vente")
        XCTAssertEqual(q.words.map(\.word), ["avant", "vente"])
        XCTAssertTrue(q.excluded.isEmpty)
    }

    func testUnbalancedQuoteIsASyntaxError() {
        XCTAssertThrowsError(try QueryText.parse(#"chef "de projet"#)) { error in
            let e = error as? QueryText.SyntaxError
            XCTAssertEqual(e?.column, 6)
        }
    }

    func testTypographicQuotes() throws {
        let q = try QueryText.parse("« chef de projet »")
        XCTAssertEqual(q.phrases.count, 1)
    }

    /// The fast path's byte test: quotes and a leading dash may be syntax; the same bytes inside
    /// other characters are not (ë is C3 AB like «'s last byte, Ü is C3 9C like “'s).
    func testOnlyQuotesAndDashesSendATextToTheFullParser() throws {
        for text in [#"chef "projet""#, "« chef »", "“chef”", "chef -test", "-test"] {
            XCTAssertTrue(QueryText.mayHaveSyntax(text), text)
        }
        for text in ["Noël chef de projet", "Über-ingénieur", "chef-de-projet", "c++ et c#", "Ê Ü ë œ"] {
            XCTAssertFalse(QueryText.mayHaveSyntax(text), text)
            var full = QueryText.Parser(text: text, limits: .unlimited)
            try full.run()
            XCTAssertEqual(try QueryText.parse(text), full.result, "the fast path reads \(text) as the parser does")
        }
    }

    /// Each limit refuses one past its value, names the limit and the value, and agrees with the
    /// unlimited parse within it.
    func testQueryLimits() throws {
        let limits = QueryLimits(maxPhrases: 2, maxPhraseWords: 3, maxExclusions: 2, maxTerms: 6)
        func refusal(_ text: String) -> QueryLimitExceeded? {
            do {
                _ = try QueryText.parse(text, limits: limits)
                return nil
            } catch {
                if case .limit(let exceeded) = error { return exceeded }
                return nil
            }
        }
        let within = "java \"chef de projet\" \"sql\" -php -perl"
        XCTAssertEqual(try QueryText.parse(within, limits: limits), try QueryText.parse(within))
        XCTAssertEqual(refusal("\"a\" \"b\" \"c\" \"\" -x"), QueryLimitExceeded(limit: .phrases, maximum: 2, found: 3))
        XCTAssertEqual(refusal("\"un deux trois quatre\""), QueryLimitExceeded(limit: .phraseWords, maximum: 3, found: 4))
        XCTAssertEqual(refusal("java -a -b -c -d"), QueryLimitExceeded(limit: .exclusions, maximum: 2, found: 4))
        XCTAssertEqual(refusal("java sql php perl cobol ada rust le la"), QueryLimitExceeded(limit: .terms, maximum: 6, found: 7))
        XCTAssertNil(refusal("java java java sql le la les"))
        XCTAssertEqual(refusal("java -a -b -c -d")?.description, "the query has 4 -word exclusions; at most 2 are accepted (max_exclusions)")
        // A syntax error is still one, limits or not.
        XCTAssertThrowsError(try QueryText.parse("\"a\" \"b\" \"c", limits: limits)) { error in
            guard case .syntax? = error as? QueryTextError else { return XCTFail("\(error)") }
        }
    }
}
