import Foundation
import MetiersImport
import MetiersIndex
import MetiersSchema
import MetiersTestSupport
import MetiersText
import Testing

/// The vocabulary table (`Config/vocabulary.tsv`): its parser's located errors, the committed
/// table's provenance, and that its content is the one of the former `vocabulary.txt`.
@Suite struct VocabularyTableTests {
    static let header = "alias\texpansion\tcards\tsource\treason"

    func table(_ rows: String...) -> String {
        ([Self.header] + rows).joined(separator: "\n") + "\n"
    }

    func failure(_ text: String) -> VocabularyError? {
        do {
            _ = try Vocabulary.parse(text)
            return nil
        } catch {
            return error
        }
    }

    // MARK: The parser

    @Test func rowsAreGroupedByExpansionInFirstAppearanceOrder() throws {
        let vocabulary = try Vocabulary.parse(table(
            "AMOA\tassistance maîtrise d'ouvrage\tconsultant-en-assistance-a-la-maitrise-d-ouvrage\tcurated\tAMOA = assistance à maîtrise d'ouvrage",
            "MOE\tmaîtrise d'œuvre\tchef-de-projet\tcurated\tMOE = maîtrise d'œuvre: the delivery side of a project",
            "",
            "AMO\tassistance maîtrise d'ouvrage\tconsultant-en-assistance-a-la-maitrise-d-ouvrage\tcurated\tshort form of AMOA",
            "Product Owner\tassistance maîtrise d'ouvrage besoin\tconsultant-en-assistance-a-la-maitrise-d-ouvrage\trome:M1864\tROME title",
            "business analyst\tanalyste fonctionnel\tanalyste-fonctionnel,consultant-metier\treferentiel\tthe card's English appellation"))
        #expect(vocabulary.entries.map(\.expansion) == ["assistance maîtrise d'ouvrage", "maîtrise d'œuvre", "assistance maîtrise d'ouvrage besoin", "analyste fonctionnel"])
        #expect(vocabulary.entries.map(\.aliases) == [["AMOA", "AMO"], ["MOE"], ["Product Owner"], ["business analyst"]])
        #expect(vocabulary.rows.map(\.line) == [2, 3, 5, 6, 7])
        #expect(vocabulary.rows[3].source == .rome(code: "M1864"))
        #expect(vocabulary.rows[4].source == .referentiel)
        #expect(vocabulary.rows[4].cards == ["analyste-fonctionnel", "consultant-metier"])
    }

    @Test func windowsLineEndsAndAByteOrderMarkAreRead() throws {
        let text = "\u{FEFF}" + Self.header + "\r\nMOE\tmaîtrise d'œuvre\tchef-de-projet\tcurated\tthe delivery side\r\n"
        let vocabulary = try Vocabulary.parse(text)
        #expect(vocabulary.entries.count == 1)
        #expect(vocabulary.rows.first?.reason == "the delivery side")
    }

    @Test func aWrongHeaderIsRefusedAtLineOne() {
        #expect(failure("alias\texpansion\tcards\tsource\n")?.line == 1)
        #expect(failure("")?.line == 1)
        let old = failure("# metiers vocabulary\nmaîtrise d'œuvre = MOE\n")
        #expect(old?.line == 1)
        #expect(old?.message.contains("vocabulary.txt") == true)
    }

    @Test func aWrongColumnCountIsLocated() {
        let error = failure(table(
            "MOE\tmaîtrise d'œuvre\tchef-de-projet\tcurated\tthe delivery side",
            "MOA\tmaîtrise d'ouvrage\tconsultant-metier\tcurated"))
        #expect(error == VocabularyError(line: 3, message: "expected 5 tab-separated columns (alias, expansion, cards, source, reason), found 4"))
        #expect(failure(table("MOE\tmaîtrise d'œuvre\tchef-de-projet\tcurated\tthe delivery side\textra"))?.line == 2)
        #expect(failure(table("MOE = maîtrise d'œuvre"))?.line == 2)
    }

    @Test func anUnknownSourceKindIsLocated() {
        let error = failure(table("MOE\tmaîtrise d'œuvre\tchef-de-projet\thand\tthe delivery side"))
        #expect(error?.line == 2)
        #expect(error?.message.contains("unknown source 'hand'") == true)
    }

    @Test(arguments: ["rome:", "rome:M18", "rome:m1805", "rome:Z1805", "rome:M18055", "rome:10301"])
    func aMalformedRomeCodeIsLocated(source: String) {
        let error = failure(table(
            "MOE\tmaîtrise d'œuvre\tchef-de-projet\tcurated\tthe delivery side",
            "",
            "Product Owner\tassistance maîtrise d'ouvrage besoin\tconsultant-en-assistance-a-la-maitrise-d-ouvrage\t\(source)\tROME title"))
        #expect(error?.line == 4)
        #expect(error?.message.contains("malformed ROME code") == true)
    }

    @Test func emptyFieldsAndMalformedCardIdsAreLocated() {
        #expect(failure(table("\tmaîtrise d'œuvre\tchef-de-projet\tcurated\tthe delivery side"))?.message == "empty alias")
        #expect(failure(table("MOE\t\tchef-de-projet\tcurated\tthe delivery side"))?.line == 2)
        #expect(failure(table("MOE\tmaîtrise d'œuvre\t\tcurated\tthe delivery side"))?.line == 2)
        #expect(failure(table("MOE\tmaîtrise d'œuvre\tchef-de-projet\tcurated\t"))?.message == "empty reason for the alias 'MOE'")
        for cards in ["Chef-de-projet", "chef de projet", "chef-de-projet,", "chef--de-projet", "chef-de-projet,chef-de-projet"] {
            #expect(failure(table("MOE\tmaîtrise d'œuvre\t\(cards)\tcurated\tthe delivery side"))?.line == 2, "\(cards)")
        }
    }

    @Test func aRowTwiceOrCardsThatDisagreeAreLocated() {
        let twice = failure(table(
            "MOE\tmaîtrise d'œuvre\tchef-de-projet\tcurated\tthe delivery side",
            "moe\tmaitrise d'oeuvre\tchef-de-projet\tcurated\tagain"))
        #expect(twice == VocabularyError(line: 3, message: "'moe' → 'maitrise d'oeuvre' is already on line 2"))
        let disagree = failure(table(
            "MOE\tmaîtrise d'œuvre\tchef-de-projet\tcurated\tthe delivery side",
            "maîtrise d'oeuvre\tmaîtrise d'œuvre\tdirecteur-de-projet\tcurated\tthe full form"))
        #expect(disagree?.line == 3)
        #expect(disagree?.message.contains("line 2") == true)
    }

    @Test func anUnknownCardIdIsLocated() throws {
        let vocabulary = try Vocabulary.parse(table(
            "MOE\tmaîtrise d'œuvre\tchef-de-projet\tcurated\tthe delivery side",
            "MOA\tmaîtrise d'ouvrage\tconsultant-metier,chef-de-projet-moa\tcurated\tthe business side"))
        #expect(throws: VocabularyError(line: 3, message: "unknown card 'chef-de-projet-moa' for the alias 'MOA'")) {
            try vocabulary.validate(cardIDs: ["chef-de-projet", "consultant-metier"])
        }
        try vocabulary.validate(cardIDs: ["chef-de-projet", "consultant-metier", "chef-de-projet-moa"])
    }

    // MARK: The committed table

    static func committed() throws -> Vocabulary {
        try Vocabulary.parse(String(contentsOfFile: TestIndex.vocabularyPath, encoding: .utf8))
    }

    static func folded(_ text: String) -> String {
        Folding.fold(text).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The forms a ROME label stands for: itself, and both genders of "Développeur /
    /// Développeuse web" (the masculine takes the words after the feminine part).
    static func romeForms(_ label: String) -> [String] {
        let parts = label.components(separatedBy: " / ")
        guard parts.count == 2 else { return [label] }
        let left = parts[0].split(separator: " "), right = parts[1].split(separator: " ")
        return [label, (left + right.dropFirst(left.count)).joined(separator: " "), parts[1]]
    }

    @Test func everyCardOfTheCommittedTableExists() throws {
        let cards = try CardStore.load(from: TestIndex.cardsPath)
        try Self.committed().validate(cardIDs: Set(cards.map(\.id)))
        #expect(try Self.committed().rows.count == 319)
    }

    /// An expansion is searched in the cards' text: one with no word any of its cards has
    /// leads nowhere ("TMA" → "infogérance", a word the referentiel never writes, found no card).
    @Test func everyExpansionHasAWordOfItsCards() throws {
        let analyzer = try FrenchAnalyzer()
        let cards = Dictionary(uniqueKeysWithValues: try CardStore.load(from: TestIndex.cardsPath).map { ($0.id, $0) })
        var stemsOf: [String: Set<String>] = [:]
        for (id, card) in cards {
            stemsOf[id] = Set(CardFields.text(of: card).flatMap(\.1).flatMap { analyzer.analyse($0).map(\.stem) })
        }
        var dead: [String] = []
        for row in try Self.committed().rows {
            let stems = Set(analyzer.analyse(row.expansion).map(\.stem))
            if !row.cards.contains(where: { !(stemsOf[$0] ?? []).isDisjoint(with: stems) }) {
                dead.append("line \(row.line): \(row.alias) → \(row.expansion)")
            }
        }
        #expect(dead == [])
    }

    @Test func everyReferentielRowIsATitleOfOneOfItsCards() throws {
        let cards = Dictionary(uniqueKeysWithValues: try CardStore.load(from: TestIndex.cardsPath).map { ($0.id, $0) })
        var wrong: [String] = []
        let committed = try Self.committed()
        for row in committed.rows where row.source == .referentiel {
            let titles = row.cards.compactMap { cards[$0] }.flatMap { [$0.name] + $0.appellations.map(\.label) }
            let forms = Set(titles.flatMap(TitleKey.variants).map(Self.folded))
            if !forms.contains(Self.folded(row.alias)) { wrong.append("line \(row.line): \(row.alias)") }
        }
        #expect(wrong == [])
        #expect(committed.rows.filter { $0.source == .referentiel }.count == 31)
    }

    @Test func everyRomeRowIsARomeTitleWithItsCode() throws {
        var codes: [String: Set<String>] = [:]
        for appellation in TestIndex.romeCatalog.appellations {
            for form in Self.romeForms(appellation.label) { codes[Self.folded(form), default: []].insert(appellation.codeRome) }
        }
        var wrong: [String] = []
        var count = 0
        for row in try Self.committed().rows {
            guard case .rome(let code) = row.source else { continue }
            count += 1
            if !(codes[Self.folded(row.alias)]?.contains(code) ?? false) { wrong.append("line \(row.line): \(row.alias) is not a ROME title of \(code)") }
        }
        #expect(wrong == [])
        #expect(count == 19)
    }

    @Test func curatedRowsSayWhy() throws {
        for row in try Self.committed().rows where row.source == .curated {
            #expect(row.reason.count >= 12, "line \(row.line): \(row.alias)")
        }
    }

    // MARK: The content of the former vocabulary.txt

    /// The (expansion, aliases) of `Config/vocabulary.txt` before it became the table, grouped
    /// by expansion in first-appearance order ("sécurité" had two lines; its second "security"
    /// repeated a pair of the first). Changed since in two places: the two expansions that led
    /// to no card (`everyExpansionHasAWordOfItsCards`), "infogérance" and "recette", now say
    /// what their cards write ("prestations", "sous-traitance"; "test"); and "SI", a word no
    /// card writes, is searched as the "système d'information" they do write.
    static let golden: [(String, [String])] = [
        ("assistance maîtrise d'ouvrage", ["AMOA", "AMO", "assistant MOA", "consultant AMOA"]),
        ("maîtrise d'ouvrage", ["MOA", "business owner"]),
        ("maîtrise d'œuvre", ["MOE"]),
        ("analyste fonctionnel", ["business analyst", "BA", "functional analyst", "analyste métier"]),
        ("consultant fonctionnel", ["functional consultant"]),
        ("assistance maîtrise d'ouvrage besoin", ["product owner", "PO", "proxy product owner"]),
        ("consultant métier", ["business consultant", "consultant métier", "domain expert"]),
        ("urbaniste", ["enterprise architect", "architecte d'entreprise", "architecte SI entreprise"]),
        ("architecte système d'information", ["solution architect", "architecte solution", "architecte applicatif", "architecte fonctionnel"]),
        ("architecte technique", ["technical architect", "architecte logiciel", "software architect", "architecte cloud", "cloud architect"]),
        ("consultant technique", ["technical consultant", "expert technique", "technical expert"]),
        ("ingénieur d'affaires commercial", ["account manager", "account executive", "key account manager", "KAM", "business developer", "business development manager", "sales executive", "ingénieur commercial", "chargé d'affaires"]),
        ("directeur commercial", ["head of sales", "sales director", "sales manager", "directeur des ventes", "VP sales", "chief sales officer"]),
        ("avant-vente", ["presales", "pre-sales", "pré-vente", "avant vente", "sales engineer", "solution engineer", "bid manager", "responsable appels d'offres", "réponse appels d'offres"]),
        ("appels d'offres", ["bid", "tender", "RFP", "AO"]),
        ("partenariats", ["partner manager", "channel manager", "alliance manager", "partnership manager", "partner account manager", "responsable alliances"]),
        ("chef de produits offres", ["product manager", "product marketing manager", "offer manager", "chef de marché"]),
        ("commercial", ["sales", "vendeur", "vente"]),
        ("développeur", ["dev", "developer", "développeur", "programmeur", "programmer", "codeur", "software engineer", "ingénieur logiciel", "ingénieur développement", "ingénieur études et développement"]),
        ("concepteur développeur", ["full stack", "fullstack", "front end", "frontend", "back end", "backend", "développeur web", "web developer", "mobile developer", "développeur mobile", "intégrateur web"]),
        ("progiciel", ["ERP", "PGI", "SAP", "progiciel de gestion intégré", "Oracle EBS", "Dynamics", "Sage X3", "ABAP"]),
        ("consultant progiciel", ["consultant ERP", "consultant SAP", "functional SAP"]),
        ("concepteur développeur technique", ["tech lead", "lead developer", "lead dev", "référent technique"]),
        ("responsable des études", ["engineering manager", "head of engineering", "directeur des études", "responsable de domaine", "directeur d'agence"]),
        ("méthodes outils qualité", ["coach agile", "agile coach", "scrum master", "méthodes agiles", "agilité", "usine logicielle", "outillage"]),
        ("responsable méthodes outils pilotage projets reporting", ["PMO", "project management office", "project management officer", "PMO manager"]),
        ("pilotage portefeuille projets", ["PMO", "portfolio manager", "gestion de portefeuille"]),
        ("assurance qualité", ["QA", "quality assurance", "qualiticien", "quality manager"]),
        ("chef de projet", ["project manager", "chef de projets", "CP", "project lead"]),
        ("directeur de projet", ["program manager", "programme manager", "directeur de programme", "delivery director"]),
        ("manager de ressources", ["staffing manager", "resource manager", "responsable staffing", "gestionnaire de ressources"]),
        ("responsable technique", ["CTO", "chief technology officer", "directeur technique", "head of technology"]),
        ("direction des systèmes d'information", ["DSI", "CIO", "chief information officer", "directeur des systèmes d'information"]),
        ("responsable des opérations", ["head of operations", "directeur des opérations", "operations director", "COO"]),
        ("responsable production", ["head of run", "run manager", "responsable du run", "directeur de production", "responsable d'exploitation"]),
        ("production exploitation", ["run", "MCO", "maintien en condition opérationnelle"]),
        ("infogérance prestations sous-traitance", ["outsourcing", "managed services", "TMA", "tierce maintenance applicative", "externalisation"]),
        ("test recette", ["QA engineer", "test engineer", "testeur", "tester", "recetteur", "quality assurance engineer", "UAT", "user acceptance testing"]),
        ("test validation", ["homologation"]),
        ("automatisation tests", ["test automation", "automaticien de tests", "automaticien", "Selenium", "Cypress"]),
        ("chef de projet test", ["test manager", "test lead", "responsable de recette", "responsable des tests", "QA manager"]),
        ("stratégie de test", ["test strategy", "test process", "processus de test"]),
        ("gestionnaire de services", ["service manager", "service delivery manager", "ITSM", "ITIL"]),
        ("gestion des services", ["ITIL", "ITSM", "service management"]),
        ("gestionnaire de contrats", ["contract manager", "responsable de contrat", "account delivery manager"]),
        ("support utilisateurs assistance", ["helpdesk", "help desk", "hotline", "service desk", "centre de services", "support desk", "servicedesk", "assistant informatique"]),
        ("support niveau", ["N1", "N2", "N3", "niveau 1", "niveau 2", "niveau 3", "level 1", "level 2", "L1", "L2", "L3"]),
        ("support clients", ["customer support", "technical support", "support technique", "support engineer"]),
        ("responsable support", ["head of support", "support manager", "service desk manager", "responsable helpdesk", "responsable hotline"]),
        ("intégrateur d'exploitation", ["devops", "DevOps engineer", "ingénieur intégration exploitation", "release manager"]),
        ("chef de projet production", ["SRE", "site reliability engineer", "ingénieur de production", "production engineer"]),
        ("mise en production", ["MEP", "mise en prod", "release", "déploiement en production"]),
        ("ordonnancement exploitation", ["Control-M", "ordonnanceur", "scheduling", "VTOM", "Dollar Universe"]),
        ("pilote d'exploitation", ["pupitreur", "opérateur", "operator", "opérateur de supervision", "superviseur", "NOC"]),
        ("administrateur d'infrastructure", ["admin sys", "adminsys", "sysadmin", "system administrator", "administrateur système", "administrateur systèmes", "administrateur réseau", "network administrator", "ingénieur système"]),
        ("administrateur bases de données", ["DBA", "database administrator", "administrateur de bases de données", "Oracle DBA"]),
        ("expert infrastructure", ["ingénieur systèmes réseaux", "network engineer", "ingénieur réseau", "architecte réseau", "cloud engineer"]),
        ("sécurité", ["cybersécurité", "cyber", "sécurité informatique", "security", "SSI", "SOC"]),
        ("système d'information", ["SI"]),
        ("sécurité audit intrusion", ["pentest", "pentester", "pentesteur", "penetration tester", "hacker éthique", "ethical hacker", "red team"]),
        ("technicien d'infrastructure", ["technicien systèmes réseaux", "technicien réseau", "network technician"]),
        ("technicien poste de travail", ["technicien de proximité", "technicien support", "desktop support", "field technician", "technicien helpdesk"]),
        ("déploiement", ["migration", "rollout", "masterisation"]),
        ("ingénieur", ["engineer"]),
        ("développement", ["development"]),
        ("architecte", ["architect"]),
        ("analyste", ["analyst"]),
        ("administrateur", ["administrator", "admin"]),
        ("technicien", ["technician"]),
        ("directeur", ["director"]),
        ("responsable", ["head"]),
        ("qualité", ["quality"]),
        ("réseau", ["network"]),
        ("système", ["system", "systems"]),
        ("base de données", ["database"]),
        ("exploitation", ["operations"]),
        ("intégration", ["integration"]),
        ("partenaire", ["partner"]),
        ("contrat", ["contract"]),
        ("client", ["customer"]),
        ("projet", ["project"]),
        ("produit", ["product"]),
        ("offre", ["offer"]),
        ("infrastructure", ["infra"]),
    ]

    @Test func theEntriesAreThoseOfTheFormerFile() throws {
        let entries = try Self.committed().entries
        #expect(entries.count == Self.golden.count)
        #expect(entries.map(\.aliases.count).reduce(0, +) == 319)
        #expect(entries.map(\.expansion) == Self.golden.map(\.0))
        for (entry, golden) in zip(entries, Self.golden) {
            #expect(entry.aliases == golden.1, "\(entry.expansion)")
        }
        let pairs = Set(entries.flatMap { entry in entry.aliases.map { "\($0) → \(entry.expansion)" } })
        for pair in ["AMOA → assistance maîtrise d'ouvrage", "MOE → maîtrise d'œuvre", "PMO → responsable méthodes outils pilotage projets reporting",
                     "PMO → pilotage portefeuille projets", "scrum master → méthodes outils qualité", "security → sécurité", "systems → système",
                     "technicien helpdesk → technicien poste de travail"] {
            #expect(pairs.contains(pair), "\(pair)")
        }
    }
}
