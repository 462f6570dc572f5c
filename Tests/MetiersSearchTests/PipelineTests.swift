import Foundation
import Logging
import MetiersSchema
import MetiersTestSupport
import XCTest

@testable import MetiersSearch

/// The stages of the search pipeline, each on its own: analyse, compose, explain, ROME
/// evidence and decide on the real index, decide alone on hand-made candidates.
final class PipelineTests: XCTestCase {
    var index: SearchIndex!

    override func setUpWithError() throws {
        index = try TestIndex.searchIndex()
    }

    func testTheCommittedModelLoadsAndIsTheIndexs() throws {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: TestIndex.rankingModelPath))
        XCTAssertEqual(try RankingModel.decode(Array(data)), index.model)
        XCTAssertThrowsError(try RankingModel.decode(Array("{}".utf8)))
        var broken = index.model
        broken.retrieval.fieldWeights["title"] = nil
        XCTAssertThrowsError(try broken.validate())
        broken = index.model
        broken.retrieval.fieldWeights["search"]?["nonsense"] = 1
        XCTAssertThrowsError(try broken.validate())
    }

    func testAnalyseMarksTheTitleAndTheRole() throws {
        let posting = try index.analyse(SearchRequest(text: "Manager helpdesk N1/N2 : vous encadrez une équipe de techniciens, suivez les indicateurs et gérez les escalades"))
        XCTAssertTrue(posting.isPosting)
        XCTAssertTrue(posting.hasTitle)
        XCTAssertEqual(posting.plan.words.filter(\.inHead).map(\.token.word), ["manager", "helpdesk", "n1", "n2"])
        XCTAssertEqual(posting.managing, 1)
        let leadIn = try index.analyse(SearchRequest(text: "Missions : participer à la conception technique, développer les nouvelles fonctionnalités, écrire les tests unitaires"))
        XCTAssertTrue(leadIn.isPosting)
        XCTAssertFalse(leadIn.hasTitle, "a lead-in is not a title")
        XCTAssertEqual(leadIn.managing, 0)
        let title = try index.analyse(SearchRequest(text: "technicien support"))
        XCTAssertFalse(title.isPosting)
        XCTAssertTrue(title.hasTitle)
        XCTAssertEqual(title.managing, 0)
        XCTAssertThrowsError(try index.analyse(SearchRequest(text: "de la et"))) { XCTAssertEqual($0 as? SearchError, .emptyQuery) }
    }

    /// A head ended by a colon or a line break, then a body, is a posting however short; a
    /// title with details after a dash or a colon stays a title.
    func testAShortTextWithAHeadAndABodyIsAPosting() throws {
        let short = try index.analyse(SearchRequest(text: "Comptable H/F : saisie et contrôle des écritures."))
        XCTAssertTrue(short.isPosting)
        XCTAssertEqual(short.plan.words.filter(\.inHead).map(\.token.word), ["comptable"])
        let composed = try index.analyse(SearchRequest(text: "Infirmier :\nVous assurez les soins des patients."))
        XCTAssertTrue(composed.isPosting, "classify joins a title and a description with a colon and a line break")
        XCTAssertEqual(composed.plan.words.filter(\.inHead).map(\.token.word), ["infirmier"])
        for title in ["Développeur Java - CDI - Paris", "Consultant / Consultante ERP - Enterprise Resource Planning",
                      "Chef de projet : MOA bancaire", "Administrateur systèmes H/F : CDI, Paris, télétravail"] {
            XCTAssertFalse(try index.analyse(SearchRequest(text: title)).isPosting, title)
        }
        var model = index.model
        model.retrieval.postingBodyWords = 0
        XCTAssertThrowsError(try model.validate())
    }

    /// A posting that opens with an introduction of the employer is the job from its title on:
    /// the introduction's words ("clients grands comptes", "services") are not searched.
    func testAnIntroductionBeforeAPostingsTitleIsNotSearched() throws {
        let posting = "Coach agile : vous accompagnez la transformation agile de la DSI, définissez les pratiques et le cadre méthodologique commun, formez et coachez les équipes."
        let intro = "Société de services numériques de 250 personnes, nous accompagnons nos clients grands comptes depuis 2005. "
        let analysis = try index.analyse(SearchRequest(text: intro + posting))
        XCTAssertTrue(analysis.isPosting)
        XCTAssertEqual(analysis.plan.words.filter(\.inHead).map(\.token.word), ["coach", "agile"])
        XCTAssertFalse(analysis.plan.words.contains { $0.token.word == "clients" })
        XCTAssertEqual(try index.search(SearchRequest(text: intro + posting)).hits.first?.card.id, try index.search(SearchRequest(text: posting)).hits.first?.card.id)
        // Without a title after it, nothing is passed over: the text is all there is.
        let untitled = intro + "Vous accompagnez la transformation agile de la DSI et formez les équipes aux pratiques communes."
        XCTAssertTrue(try index.analyse(SearchRequest(text: untitled)).plan.words.contains { $0.token.word == "clients" })
    }

    /// A job board writes details after a title: contract, gender, city, company. A trailing
    /// part that names nothing a title names (only noise, or words no card, ROME title or alias
    /// writes) is no part of the title: the title is matched, and read by ROME, without it.
    /// A part with a title's word (ROME's "… ERP - Enterprise Resource Planning") stays.
    func testATitlesTrailingDetailsAreNotItsTitle() throws {
        func head(_ text: String) throws -> [String] {
            try index.analyse(SearchRequest(text: text)).plan.words.filter(\.inHead).map(\.token.word)
        }
        XCTAssertEqual(try head("Chef de projet MOE - Capgemini"), ["chef", "projet", "moe"])
        XCTAssertEqual(try head("Développeur Java (H/F) - CDI - Villeurbanne | Sopra Steria"), ["developpeur", "java"])
        XCTAssertEqual(try head("Consultant ERP - Enterprise Resource Planning"), [], "every part names something: a title throughout")
        XCTAssertEqual(try head("Développeur Java"), [])
        XCTAssertEqual(try head("Capgemini - Villeurbanne"), [], "no job before the details: read as it is")
        index.options.titleDetails = false
        XCTAssertEqual(try head("Chef de projet MOE - Capgemini"), [])
        index.options.titleDetails = true
        // The details change no answer, and do not save another trade from "none".
        for (title, plain) in [("chef de projet moe - Capgemini", "chef de projet moe"), ("IT operations manager | Villeurbanne", "IT operations manager"),
                               ("Manager de projet - Paris (75)", "Manager de projet")] {
            XCTAssertEqual(try index.search(SearchRequest(text: title)).hits.first?.card.id, try index.search(SearchRequest(text: plain)).hits.first?.card.id, title)
        }
        XCTAssertNil(try index.analyse(SearchRequest(text: "Manager de projet - Paris")).didYouMean, "a city is no typo of 'pris'")
        XCTAssertTrue(try index.search(SearchRequest(text: "Chargée de recrutement IT - Villeurbanne")).hits.isEmpty)
        // Gender, contract and place marks make no posting of a title.
        XCTAssertFalse(try index.analyse(SearchRequest(text: "Product Manager SaaS B2B (H/F) - CDI - Villeurbanne - Télétravail partiel")).isPosting)
    }

    /// A noise word that belongs to a vocabulary alias is the sector's term: "lead" of "tech
    /// lead" stays and the alias expands; "lead" of "Lead Java" is a seniority mark and goes.
    func testAliasWordsAreNotNoise() throws {
        let techLead = try index.analyse(SearchRequest(text: "Tech lead Java"))
        XCTAssertEqual(techLead.plan.words.map(\.token.word), ["tech", "lead", "java"])
        XCTAssertEqual(techLead.plan.expansions.map(\.range), [0..<2])
        XCTAssertEqual(try index.search(SearchRequest(text: "Tech lead Java")).hits.first?.card.id, "concepteur-developpeur")
        XCTAssertEqual(try index.search(SearchRequest(text: "test lead")).hits.first?.card.id, "chef-de-projet-test")
        XCTAssertEqual(try index.analyse(SearchRequest(text: "Lead Java")).plan.words.map(\.token.word), ["java"])
        XCTAssertEqual(try index.analyse(SearchRequest(text: "Développeur senior H/F")).plan.words.map(\.token.word), ["developpeur"])
        index.options.synonyms = false
        XCTAssertEqual(try index.analyse(SearchRequest(text: "Tech lead Java")).plan.words.map(\.token.word), ["tech", "java"])
    }

    /// An acronym of the vocabulary ("SI") written in small letters in a posting's body is a word
    /// of the prose ("si besoin") and expands to nothing; in capitals it expands, and so it does
    /// in any case in a title or a posting's head, which people type as they like.
    func testAcronymsInAPostingsProseExpandOnlyInCapitals() throws {
        func expanded(_ text: String) throws -> [String] {
            let plan = try index.analyse(SearchRequest(text: text)).plan
            return plan.expansions.flatMap { e in plan.words[e.range].map(\.token.word) }
        }
        XCTAssertTrue(SearchIndex.isAcronym("SI"))
        XCTAssertFalse(SearchIndex.isAcronym("N1"), "no word is spelt with a digit")
        XCTAssertFalse(SearchIndex.isAcronym("Scrum"))
        let body = "vous traitez les tickets des utilisateurs, diagnostiquez les pannes et escaladez vers le niveau supérieur"
        XCTAssertFalse(try expanded("Technicien support : \(body) si besoin").contains("si"))
        XCTAssertTrue(try expanded("Technicien support : \(body) du SI").contains("si"))
        XCTAssertTrue(try expanded("Chef de projet si : \(body)").contains("si"), "a head is typed in any case")
        XCTAssertTrue(try expanded("chef de projet si").contains("si"), "so is a title")
    }

    /// A title with two aliases is also read with both translated at once: "helpdesk
    /// technician" is "support utilisateurs assistance technicien", which "Technicien support"
    /// answers, where each alias alone left the literal "Operating technician" the best title.
    func testATitleOfSeveralAliasesIsAlsoReadWhollyTranslated() throws {
        let plan = try index.analyse(SearchRequest(text: "helpdesk technician")).plan
        XCTAssertEqual(plan.expansions.count, 2)
        let variants = plan.titleVariants(limit: 6, expansionTrust: 0.5).map(\.words)
        XCTAssertEqual(variants.first, ["helpdesk", "technician"])
        XCTAssertEqual(variants.last, ["support", "utilisateur", "assistance", "technicien"])
        XCTAssertEqual(try index.search(SearchRequest(text: "helpdesk technician", mode: .title)).hits.first?.card.id, "support-clients")
        let one = try index.analyse(SearchRequest(text: "helpdesk")).plan
        XCTAssertEqual(one.titleVariants(limit: 6, expansionTrust: 0.5).count, 1 + one.expansions[0].titleWords.count,
                       "one alias: its variants already hold the whole translation")
    }

    /// A feminine agreement the index does not fold ("-ante", "-ée", "-ale", "-elle", "-erte")
    /// is read a second time as masculine, trusted as much: "Commerciale" is the card
    /// "Commercial", not "Directeur commercial", and a title answers the same in either gender.
    func testAFeminineTitleIsAlsoReadAsMasculine() throws {
        XCTAssertEqual(TitleKey.masculineReading("consultantes"), "consultant")
        XCTAssertEqual(TitleKey.masculineReading("chargee"), "charge")
        XCTAssertNil(TitleKey.masculineReading("ingenieure"), "already folded by normalise")
        XCTAssertNil(TitleKey.masculineReading("java"))
        let plan = try index.analyse(SearchRequest(text: "Consultante maîtrise d'ouvrage")).plan
        let variants = plan.titleVariants(limit: 6, expansionTrust: 0.5)
        XCTAssertEqual(variants[0].words, ["consultante", "maitrise", "ouvrage"])
        XCTAssertEqual(variants[1].words, ["consultant", "maitrise", "ouvrage"])
        XCTAssertEqual(variants[1].trust, 1)
        func readings(_ title: String) throws -> [[String]] {
            try index.analyse(SearchRequest(text: title)).plan.titleVariants(limit: 6, expansionTrust: 0.5).map(\.words)
        }
        XCTAssertEqual(try readings("Ingénieure système"), try readings("Ingénieur système"), "a feminine the index folds needs no second reading")
        for (feminine, masculine) in [
            ("Commerciale", "Commercial"), ("Consultante maîtrise d'ouvrage", "Consultant maîtrise d'ouvrage"),
            ("Chargée d'études en organisation et informatique", "Chargé d'études en organisation et informatique"),
            ("Assistante aux utilisateurs", "Assistant aux utilisateurs"), ("Experte technique", "Expert technique"),
            // An alias beside it: the words around an expansion are read as masculine too.
            ("Consultante MOA", "Consultant MOA"),
        ] {
            let her = try XCTUnwrap(try index.search(SearchRequest(text: feminine, mode: .title)).hits.first, feminine)
            let his = try XCTUnwrap(try index.search(SearchRequest(text: masculine, mode: .title)).hits.first, masculine)
            XCTAssertEqual(her.card.id, his.card.id, feminine)
            XCTAssertNotNil(her.matchedTitle, feminine)
        }
        XCTAssertEqual(try index.search(SearchRequest(text: "Commerciale", mode: .title)).hits.first?.card.id, "commercial")
    }

    /// Spelling corrects a title into the words titles write: a card's ("technicien"), ROME's
    /// ("supervision"), the vocabulary's ("delivery"), never a word of the cards' prose only.
    func testSpellingCorrectsIntoTitleWordsOnly() throws {
        for word in ["technicien", "supervision", "delivery"] { XCTAssertTrue(index.isTitleWord(word), word) }
        for word in ["orale", "davantage"] { XCTAssertFalse(index.isTitleWord(word), word) }
        XCTAssertEqual(try index.analyse(SearchRequest(text: "tecnicien oracle")).didYouMean, "technicien oracle")
        // Words only titles write are suggestions too: the vocabulary's ("account", "channel")
        // and ROME's ("infirmier", which makes another trade's title "none" again).
        XCTAssertEqual(try index.analyse(SearchRequest(text: "Acount manager")).didYouMean, "account manager")
        XCTAssertEqual(try index.search(SearchRequest(text: "Channl manager")).hits.first?.card.id, "responsable-partenariats")
        XCTAssertEqual(try index.analyse(SearchRequest(text: "Infirmeir de nuit")).didYouMean, "infirmier de nuit")
        XCTAssertTrue(try index.search(SearchRequest(text: "Infirmeir de nuit")).hits.isEmpty)
    }

    /// A text made of an alias's noise word a hundred thousand times costs no more lookups
    /// than the search reads words: only "lead" of "tech lead" is kept, the rest is noise; and
    /// made of noise only, it is searched as its first words.
    func testManyAliasNoiseWordsAreReadUpToTheBound() throws {
        let leads = Array(repeating: "lead", count: 100_000).joined(separator: " ")
        let analysis = try index.analyse(SearchRequest(text: "tech " + leads))
        XCTAssertEqual(analysis.plan.words.map(\.token.word), ["tech", "lead"])
        XCTAssertEqual(analysis.plan.expansions.map(\.range), [0..<2])
        XCTAssertEqual(try index.analyse(SearchRequest(text: leads)).plan.words.count, SearchIndex.maximumQueryWords)
    }

    func testComposeReadsOneManagingWordForAnother() throws {
        let analysis = try index.analyse(SearchRequest(text: "manager support"))
        let composed = try index.compose(analysis, request: SearchRequest(text: "manager support"))
        XCTAssertEqual(composed.titleShares["manager_support"] ?? 0, 1, accuracy: 1e-9)
        let substituted = try XCTUnwrap(composed.titleShares["responsable_support"])
        XCTAssertEqual(substituted, index.model.retrieval.roleTrust, accuracy: 1e-9, "trusted less than the words typed")
        index.options.role = false
        XCTAssertNil(try index.compose(analysis, request: SearchRequest(text: "manager support")).titleShares["responsable_support"])
    }

    /// "informatique" says a job is IT, which every card is: the one card whose title writes it
    /// ("Assistant micro-informatique") is not the answer to every "… informatique" title.
    func testTheSectorsOwnWordIsNoTitleEvidence() throws {
        XCTAssertEqual(index.sectorStems, [index.analyzer.stem("informatique")])
        let request = SearchRequest(text: "Responsable de département informatique", mode: .title)
        let analysis = try index.analyse(request)
        let composed = try index.compose(analysis, request: request)
        XCTAssertFalse(composed.terms.contains { $0.prefix == .title && index.sectorStems.contains($0.value) }, "no title-field term for it")
        XCTAssertTrue(composed.terms.contains { $0.prefix == .description && index.sectorStems.contains($0.value) }, "the cards' text still matches it")
        let first = try XCTUnwrap(try index.search(request).hits.first)
        XCTAssertNotEqual(first.card.id, "support-clients")
        XCTAssertTrue(first.card.id.hasPrefix("responsable-"), first.card.id)
        // A model written before the sector words (an index an earlier version built) reads
        // as one without them.
        let data = try XCTUnwrap(FileManager.default.contents(atPath: TestIndex.rankingModelPath))
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var retrieval = try XCTUnwrap(object["retrieval"] as? [String: Any])
        XCTAssertNotNil(retrieval.removeValue(forKey: "sector_words"))
        object["retrieval"] = retrieval
        let older = try RankingModel.decode(Array(try JSONSerialization.data(withJSONObject: object)))
        XCTAssertNil(older.retrieval.sectorWords)
        // Served without them, the same title goes to the card whose title writes the word.
        var options = index.options
        options.model = older
        let without = try TestIndex.searchIndex(options: options)
        XCTAssertTrue(without.sectorStems.isEmpty)
        XCTAssertEqual(try without.search(request).hits.first?.card.id, "support-clients")
        // A whole title that writes it still leads to its card; ROME still reads it as IT.
        XCTAssertEqual(try index.search(SearchRequest(text: "Technicien micro-informatique", mode: .title)).hits.first?.card.id, "support-clients")
        // The user-support title that needed the word is the vocabulary's now.
        XCTAssertEqual(try index.search(SearchRequest(text: "Assistante informatique", mode: .title)).hits.first?.card.id, "support-clients")
        XCTAssertFalse(try index.search(SearchRequest(text: "Technicien de maintenance informatique", mode: .title)).hits.isEmpty)
    }

    func testExplainNamesTheFeaturesTheModelWeighs() throws {
        let request = SearchRequest(text: "responsable support")
        let analysis = try index.analyse(request)
        let composed = try index.compose(analysis, request: request)
        let candidates = try index.explain(try index.retrieve(composed, request: request), composed, analysis, request: request)
        let first = try XCTUnwrap(candidates.first)
        XCTAssertTrue(first.explained)
        XCTAssertEqual(first.hit.card.id, "responsable-support")
        XCTAssertEqual(first.hit.features["title_share"], 1)
        XCTAssertEqual(first.hit.features["rank"], 0)
        for name in index.model.confidence.weights.keys {
            XCTAssertNotNil(first.hit.features[name], "the model weighs \(name), which explain must compute")
        }
        XCTAssertGreaterThan(try index.profile(id: "responsable-support").managing, 0.5)
        XCTAssertLessThan(try index.profile(id: "concepteur-developpeur").managing, 0.2, "one lead title among eight")
    }

    func testRomeEvidenceComesFromTheTitleOnly() throws {
        let boulanger = try index.romeEvidence(try index.analyse(SearchRequest(text: "Boulanger")))
        XCTAssertEqual(boulanger.outside?.appellation.codeRome, "D1102")
        XCTAssertEqual(boulanger.outside?.quality ?? 0, 1, accuracy: 1e-9)
        let noTitle = try index.romeEvidence(try index.analyse(SearchRequest(
            text: "Vous préparez le pain et les viennoiseries, gérez le four et la boulangerie, conseillez les clients au comptoir chaque matin")))
        XCTAssertNil(noTitle.outside, "a posting without a title gives ROME nothing to say")
    }

    /// ROME's evidence that a title is another trade rests on words no card title has and no
    /// vocabulary alias of the query covers: ROME's "Codeur" (sign language) and "Technicien
    /// helpdesk" (I1404) still match, but the vocabulary vouches for "codeur" and "helpdesk".
    func testVocabularyAliasesAreNotRomesDecidingWords() throws {
        for (query, card) in [("codeur", "concepteur-developpeur"), ("helpdesk", "support-clients")] {
            let evidence = try index.romeEvidence(try index.analyse(SearchRequest(text: query)))
            XCTAssertNotNil(evidence.outside, query)
            XCTAssertNil(evidence.wordShare, "\(query): no deciding word")
            XCTAssertEqual(try index.search(SearchRequest(text: query)).hits.first?.card.id, card, query)
        }
        // A word no alias covers still decides.
        XCTAssertNotNil(try index.romeEvidence(try index.analyse(SearchRequest(text: "Boulanger"))).wordShare)
        index.options.synonyms = false
        XCTAssertNotNil(try index.romeEvidence(try index.analyse(SearchRequest(text: "codeur"))).wordShare, "without the vocabulary, nothing vouches")
    }

    func testABudgetSpentBetweenStagesIsATimeout() throws {
        var request = SearchRequest(text: "développeur java")
        request.deadline = ContinuousClock.now - .milliseconds(1)
        XCTAssertThrowsError(try index.search(request)) { XCTAssertEqual($0 as? SearchError, .timeout(stage: "compose")) }
        request.deadline = ContinuousClock.now + .seconds(30)
        XCTAssertEqual(try index.search(request).hits.first?.card.id, "concepteur-developpeur", "within the budget, the answer")
    }

    // MARK: decide, alone

    func candidate(_ id: String, weight: Double, features: [String: Double], explained: Bool = true) -> Candidate {
        let card = try! index.card(id: id)
        var hit = SearchHit(card: card.summary, score: weight, confidence: 0, matched: [], matchedTitle: nil, snippet: nil, features: features)
        hit.features = features
        return Candidate(hit: hit, explained: explained)
    }

    func analysis(posting: Bool) throws -> QueryAnalysis {
        var a = try index.analyse(SearchRequest(text: "technicien support"))
        a.isPosting = posting
        return a
    }

    func model(threshold: Double, weights: [String: Double]) -> RankingModel {
        var m = index.model
        m.confidence = .init(intercept: 0, weights: weights)
        m.decision.threshold = threshold
        return m
    }

    func testDecideOrdersByConfidenceAndKeepsXapiansOrderOnTies() throws {
        let m = model(threshold: 0.1, weights: ["title_share": 4])
        let candidates = [
            candidate("support-clients", weight: 10, features: ["title_share": 0, "rank": 0]),
            candidate("responsable-support", weight: 9, features: ["title_share": 1, "rank": 1]),
            candidate("technicien-d-infrastructure", weight: 8, features: ["title_share": 0, "rank": 2]),
            candidate("gestionnaire-de-services", weight: 4, features: [:], explained: false),
        ]
        let decision = Decide.decide(candidates, evidence: RomeEvidence(), analysis: try analysis(posting: false), model: m, options: RankingOptions())
        XCTAssertEqual(decision.hits.map(\.card.id), ["responsable-support", "support-clients", "technicien-d-infrastructure"])
        XCTAssertEqual(decision.hits[0].confidence, 0.982)
        XCTAssertEqual(decision.hits[1].confidence, 0.5)
        XCTAssertEqual(decision.others.map(\.card.id), ["gestionnaire-de-services"], "unexplained: for facets, never on a page")
        XCTAssertEqual(decision.others[0].confidence, (0.982 * 0.4 * 1000).rounded() / 1000, "the first's confidence, scaled by weight")
    }

    func testATitleAbstainsBelowTheThresholdAPostingDoesNot() throws {
        let m = model(threshold: 0.9, weights: [:])  // every candidate at 0.5
        let candidates = [candidate("support-clients", weight: 10, features: ["rank": 0])]
        XCTAssertEqual(Decide.decide(candidates, evidence: RomeEvidence(), analysis: try analysis(posting: false), model: m, options: RankingOptions()).match, .none)
        XCTAssertEqual(Decide.decide(candidates, evidence: RomeEvidence(), analysis: try analysis(posting: true), model: m, options: RankingOptions()).hits.count, 1,
                       "a posting's text never makes the answer none")
        var options = RankingOptions()
        options.postingAnswers = false
        XCTAssertEqual(Decide.decide(candidates, evidence: RomeEvidence(), analysis: try analysis(posting: true), model: m, options: options).match, .none)
    }

    func testRomesEvidenceMakesNoneOnlyWithEveryGuardMet() throws {
        var m = model(threshold: 0.1, weights: [:])
        m.decision.outsideQuality = 0.6
        m.decision.outsideLead = 0.2
        m.decision.outsideWordShare = 0.25
        m.decision.outsideWordRule = .every
        let candidates = [candidate("support-clients", weight: 10, features: ["rank": 0, "title_share": 0.5])]
        let boulanger = try XCTUnwrap(index.romeEvidence(try index.analyse(SearchRequest(text: "Boulanger"))).outside)
        func decide(quality: Double, inside: Double, share: (largest: Double, smallest: Double)?) throws -> MatchKind {
            var evidence = RomeEvidence()
            evidence.outside = boulanger
            evidence.outside?.quality = quality
            evidence.inside = inside
            evidence.wordShare = share
            return Decide.decide(candidates, evidence: evidence, analysis: try analysis(posting: true), model: m, options: RankingOptions()).match
        }
        XCTAssertEqual(try decide(quality: 0.9, inside: 0.2, share: (0.1, 0.0)), .none)
        XCTAssertNotEqual(try decide(quality: 0.55, inside: 0.2, share: (0.1, 0.0)), .none, "quality under outside_quality")
        XCTAssertNotEqual(try decide(quality: 0.65, inside: 0.2, share: (0.1, 0.0)), .none, "lead over the card's title under outside_lead")
        XCTAssertNotEqual(try decide(quality: 0.9, inside: 0.8, share: (0.1, 0.0)), .none, "an in-scope ROME title explains it as well")
        XCTAssertNotEqual(try decide(quality: 0.9, inside: 0.2, share: (0.5, 0.0)), .none, "a deciding word is mostly in scope")
        XCTAssertNotEqual(try decide(quality: 0.9, inside: 0.2, share: nil), .none, "every word is in some card title")
        m.decision.outsideWordRule = .any
        XCTAssertEqual(try decide(quality: 0.9, inside: 0.2, share: (0.5, 0.0)), .none, "one deciding word clearly outside is enough")
        var leavesHead = RomeEvidence()
        leavesHead.outside = boulanger
        leavesHead.wordShare = (0.1, 0.0)
        leavesHead.outsideLeavesHead = true
        XCTAssertNotEqual(Decide.decide(candidates, evidence: leavesHead, analysis: try analysis(posting: true), model: m, options: RankingOptions()).match,
                          .none, "the outside title leaves the job's noun to the cards")
    }

    /// A ROME title of another trade that leaves the title's first word, a card title's word,
    /// unexplained is no evidence against the cards: "Ingénieur Docker" (ROME's "Docker" is a
    /// dock worker). One that has the noun still is: "Chargée de recrutement IT", "Infirmier".
    func testAnOutsideTitleThatLeavesTheJobsNounToTheCardsIsNoEvidence() throws {
        for title in ["Ingénieur Docker", "Développeur Java Docker"] {
            let evidence = try index.romeEvidence(try index.analyse(SearchRequest(text: title, mode: .title)))
            XCTAssertEqual(evidence.outside?.appellation.codeRome, "N3203", title)
            XCTAssertTrue(evidence.outsideLeavesHead, title)
            XCTAssertNotEqual(try index.search(SearchRequest(text: title, mode: .title)).match, .none, title)
        }
        for title in ["Chargée de recrutement IT", "Infirmier de nuit"] {
            XCTAssertFalse(try index.romeEvidence(try index.analyse(SearchRequest(text: title, mode: .title))).outsideLeavesHead, title)
            XCTAssertEqual(try index.search(SearchRequest(text: title, mode: .title)).match, .none, title)
        }
    }
}
