import Foundation
import MetiersImport
import MetiersModel
import Testing

/// Importing the real referentiel.
struct ReferentielImporterTests {
    @Test func importsThe36EmploiTypesOfTheSommaireInOrder() throws {
        let cards = try Referentiel.cards()
        #expect(cards.count == ReferentielImporter.cardCount)
        #expect(cards.map(\.id) == Referentiel.expected.map(\.id))
        #expect(cards.map(\.name) == Referentiel.expected.map(\.name))
        #expect(cards.map(\.famille) == Referentiel.expected.map(\.famille))
        #expect(cards.map(\.sousFamille) == Referentiel.expected.map(\.sousFamille))
        // Two pages per card, from page 9.
        #expect(cards.map(\.page) == Array(stride(from: 9, through: 79, by: 2)))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: Referentiel.idsTSVPath), "needs ../shared/eval/ids.tsv"))
    func matchesTheEvaluationIds() throws {
        let rows = try String(contentsOfFile: Referentiel.idsTSVPath, encoding: .utf8)
            .split(separator: "\n").dropFirst()
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let cards = try Referentiel.cards()
        #expect(rows.map { $0[0] } == cards.map(\.id))
        #expect(rows.map { $0[1] } == cards.map(\.name))
        #expect(rows.map { $0[2] } == cards.map(\.famille))
        #expect(rows.map { $0.count > 3 ? $0[3] : "" } == cards.map { $0.sousFamille ?? "" })
    }

    /// Four cards have no "Emploi Type : NAME" header where they start: they are named from the
    /// Sommaire, and their content must be theirs, not their neighbour's.
    @Test func namesTheCardsThatLackTheirHeader() throws {
        let lines = try Referentiel.lines()
        let cards = try Referentiel.cards()
        let byID = Dictionary(uniqueKeysWithValues: cards.map { ($0.id, $0) })
        let openings = [
            "responsable-des-etudes": "Le responsable des études coordonne les projets informatiques",
            "responsable-support": "Le responsable support anime une équipe de support technique",
            "responsable-technique": "Le responsable technique est chargé de manager",
            "directeur-de-projet": "Un directeur de projet est capable de piloter",
        ]
        for (id, opening) in openings {
            let card = try #require(byID[id])
            #expect(!lines.contains("Emploi Type : \(card.name)"), "\(id) has a first-page header after all")
            #expect(card.descriptionSynthetique.hasPrefix(opening))
        }
        // Two of them show their name on their second page only, two nowhere.
        #expect(lines.contains("Emploi type : Responsable support"))
        #expect(lines.contains("Emploi type : Responsable technique"))
        #expect(!lines.contains { $0.hasSuffix(": Responsable des études") || $0.hasSuffix(": Directeur de projet") })
        #expect(byID["responsable-des-etudes"]?.appellations.first?.label == "Responsable groupe développement")
        #expect(byID["directeur-de-projet"]?.appellations.first?.label == "Directeur de programme")
    }

    @Test func readsTheROMECodes() throws {
        let cards = try Referentiel.cards()
        let rome = Dictionary(uniqueKeysWithValues: cards.map { ($0.id, $0.rome) })
        #expect(rome["directeur-de-projet"] == ["M1803"])
        #expect(rome["consultant-en-assistance-a-la-maitrise-d-ouvrage"] == ["M1806"])
        #expect(rome["architecte-technique"] == ["M1802"])
        #expect(rome["commercial"] == ["D1407"])
        #expect(rome["consultant-avant-vente"] == ["H1102"])
        #expect(rome["chef-de-produits-et-offres"] == ["M1703"])
        #expect(rome["concepteur-developpeur"] == ["M1805"])
        #expect(rome["administrateur-d-infrastructure"] == ["M1801"])
        #expect(rome["pilote-d-exploitation"] == ["M1810"])
        #expect(rome["support-clients"] == ["H1101"])
        let nonPertinent = Set(cards.filter { $0.rome.isEmpty }.map(\.id))
        #expect(nonPertinent == ["manager-de-ressources", "consultant-en-processus-de-test", "gestionnaire-de-services"])
    }

    @Test func resolvesEveryPasserelleToACard() throws {
        let cards = try Referentiel.cards()
        let ids = Set(cards.map(\.id))
        let byID = Dictionary(uniqueKeysWithValues: cards.map { ($0.id, $0) })
        for card in cards {
            let all = card.passerelles.origines + card.passerelles.evolutions
            #expect(all.allSatisfy(ids.contains), "\(card.id): \(all)")
            #expect(Set(card.passerelles.origines).count == card.passerelles.origines.count, "\(card.id) repeats an origine")
            #expect(Set(card.passerelles.evolutions).count == card.passerelles.evolutions.count, "\(card.id) repeats an évolution")
        }
        // Passerelles lost with the pictures.
        let empty = cards.filter { $0.passerelles.origines.isEmpty && $0.passerelles.evolutions.isEmpty }.map(\.id)
        #expect(empty == [
            "commercial", "chef-de-produits-et-offres", "concepteur-developpeur", "consultant-progiciel",
            "responsable-support", "manager-de-ressources", "pilote-d-exploitation", "support-clients",
        ])
        // Several names on consecutive lines, one of them ending in "/".
        #expect(byID["chef-de-projet"]?.passerelles.origines
            == ["concepteur-developpeur", "consultant-technique", "consultant-metier", "consultant-progiciel"])
        // Misspelt ("Chargé méthode outils et audité"), table spelling ("Responsable de production").
        #expect(byID["analyste-test-et-validation"]?.passerelles.evolutions
            == ["chef-de-projet-test", "consultant-en-processus-de-test", "charge-des-methodes-outils-et-qualite"])
        #expect(byID["chef-de-projet-production"]?.passerelles.evolutions.last == "responsable-production")
        // Names wrapped over two lines ("Responsable des" / "opérations", "Consultant avant-" / "vente"),
        // a whole famille and a sous-famille.
        let services = try #require(byID["gestionnaire-de-services"])
        #expect(services.passerelles.evolutions.contains("responsable-des-operations"))
        #expect(services.passerelles.evolutions.contains("consultant-avant-vente"))
        #expect(services.passerelles.origines.prefix(7) == [
            "chef-de-projet-production", "integrateur-d-exploitation", "pilote-d-exploitation",
            "administrateur-d-infrastructure", "expert-infrastructure", "technicien-d-infrastructure", "support-clients",
        ])
        // "Sous-famille : management" does not list the card itself; "Management" alone is no card.
        #expect(byID["responsable-des-operations"]?.passerelles.origines
            == ["responsable-des-etudes", "responsable-production", "responsable-support", "responsable-technique"])
        #expect(byID["responsable-des-operations"]?.passerelles.evolutions == [])
        // "Expert" alone is the expert card.
        #expect(byID["integrateur-d-exploitation"]?.passerelles.evolutions
            == ["chef-de-projet-production", "concepteur-developpeur", "expert-infrastructure"])
    }

    @Test func keepsEveryAppellationWithItsSource() throws {
        let cards = try Referentiel.cards()
        let byID = Dictionary(uniqueKeysWithValues: cards.map { ($0.id, $0) })
        #expect(byID["consultant-metier"]?.appellations == [
            Appellation(label: "Consultant Maîtrise d'Ouvrage (Maître d'Ouvrage)", source: .courante),
            Appellation(label: "Expert Métier", source: .courante),
            Appellation(label: "Consultant Expert Métier", source: .courante),
            Appellation(label: "Consultant fonctionnel", source: .courante),
            Appellation(label: "Business consultant", source: .anglais),
            Appellation(label: "Consultant maîtrise d'ouvrage", source: .table),
        ])
        // Table rows whose emploi-type is spelt differently from the Sommaire.
        #expect(byID["responsable-production"]?.appellations.last == Appellation(label: "Directeur de production", source: .table))
        #expect(byID["responsable-partenariats"]?.appellations.last == Appellation(label: "Directeur des partenariats", source: .table))
        #expect(byID["charge-des-methodes-outils-et-qualite"]?.appellations.last
            == Appellation(label: "Ingénieur méthodes outils et qualité", source: .table))
        // The row with the wrong page (21 for "Responsable commercial") still goes to its card.
        #expect(byID["responsable-commercial"]?.appellations.last == Appellation(label: "Directeur commercial", source: .table))
        // One table row per card.
        #expect(cards.allSatisfy { $0.appellations.filter { $0.source == .table }.count == 1 })
    }

    @Test func readsEverySection() throws {
        let cards = try Referentiel.cards()
        let byID = Dictionary(uniqueKeysWithValues: cards.map { ($0.id, $0) })
        let amoa = try #require(byID["consultant-en-assistance-a-la-maitrise-d-ouvrage"])
        #expect(amoa.activitesPrincipales.count == 9)
        #expect(amoa.activitesSpecifiques == ["Accompagner la conduite du changement", "Définir des actions de formation utilisateur"])
        #expect(amoa.savoirFaire.first == "Aide à l'expression des besoins")
        #expect(amoa.connaissances.last == "Assurance qualité")
        #expect(amoa.variabilite.sectoriel == "Pas de variabilité")
        #expect(amoa.conditionsExercice == ConditionsExercice(
            liaisonsExternes: "Tous les partenaires du projet (client, éditeur, sous-traitant, MOE...).",
            liaisonsInternes: "MOE",
            lieuDeTravail: "Son activité se déroule sur le site du client."))
        #expect(amoa.prerequis.hasPrefix("Cet emploi-type est accessible à des personnes de niveau Bac+5"))
        #expect(amoa.formations == ["Ecole d'ingénieurs", "Ecole de commerce", "Formations universitaires"])
        #expect(amoa.certifications == ["Pas de certification exigée"])
        #expect(amoa.parcours.hasPrefix("En débutant, le consultant"))

        // An empty "Externes :", empty "Activités spécifiques".
        #expect(byID["consultant-metier"]?.conditionsExercice.liaisonsExternes == "")
        #expect(byID["manager-de-ressources"]?.activitesSpecifiques == [])
        // Two paragraphs; an introduction and its bullets.
        #expect(byID["responsable-support"]?.variabilite.typeEntreprise
            == "Le rôle du responsable support sera plus complexe selon la taille de l'entreprise.\nIl devra être davantage force de proposition dans une petite structure où les procédures sont moins formalisées.")
        #expect(byID["directeur-de-projet"]?.parcours
            == "Le directeur de projet gère des projets de plus en plus complexes, soit de part leur :\ncriticité client, interne,\ntaille,\ncomplexité fonctionnelle ou technique,\nlocalisation géographique (multiculturel).")
        // The card opening with "Version : 4 **Emploi Type : Consultant en processus de test**".
        let processus = try #require(byID["consultant-en-processus-de-test"])
        #expect(processus.appellations.first?.label == "Consultant en qualification logicielle")
        #expect(processus.certifications == ["CFTL/ISTQB"])
        // A card whose second page repeats its header between "Qualités requises" and "Variabilité".
        #expect(byID["architecte-technique"]?.variabilite.typeEntreprise == "L'emploi pourra varier en fonction de l'expertise technique maîtrisée.")
    }

    /// No conversion debris anywhere: bullets, markdown, version lines, page headers, stray
    /// whitespace, empty items.
    @Test func everyFieldIsClean() throws {
        let debris = ["◆", "▪", "•", "**", "Version :", "Emploi type :", "Emploi Type :", "Qualités requises", "Niveaux :", "\t", "  "]
        for card in try Referentiel.cards() {
            let lists = [card.activitesPrincipales, card.activitesSpecifiques, card.savoirFaire, card.connaissances,
                         card.formations, card.certifications, card.appellations.map(\.label)]
            let prose = [card.descriptionSynthetique, card.variabilite.typeEntreprise, card.variabilite.sectoriel,
                         card.conditionsExercice.liaisonsExternes, card.conditionsExercice.liaisonsInternes,
                         card.conditionsExercice.lieuDeTravail, card.prerequis, card.parcours]
            for item in lists.joined() {
                #expect(!item.isEmpty, "\(card.id): empty list item")
            }
            for field in lists.joined() + prose + [card.name] {
                for piece in debris {
                    #expect(!field.contains(piece), "\(card.id): \(piece) in \(field)")
                }
                for line in field.split(separator: "\n", omittingEmptySubsequences: false) {
                    #expect(!line.hasPrefix("- ") && !line.hasPrefix(" ") && !line.hasSuffix(" "), "\(card.id): \(line)")
                    #expect(!line.isEmpty || field.isEmpty, "\(card.id): empty line in \(field)")
                }
            }
            for text in [card.descriptionSynthetique, card.variabilite.typeEntreprise, card.variabilite.sectoriel,
                         card.conditionsExercice.lieuDeTravail, card.prerequis, card.parcours] {
                #expect(!text.isEmpty, "\(card.id): empty prose")
            }
            #expect(!card.activitesPrincipales.isEmpty && !card.savoirFaire.isEmpty && !card.connaissances.isEmpty)
        }
    }

    @Test func acceptsWindowsLineBreaks() throws {
        let text = try Referentiel.text()
        #expect(try ReferentielImporter.cards(fromText: text.replacingOccurrences(of: "\n", with: "\r\n")) == Referentiel.cards())
    }
}
