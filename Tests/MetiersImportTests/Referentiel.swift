import Foundation
import MetiersImport
import MetiersModel

/// The repository's referentiel and committed cards, found from this file's path so that the
/// tests run from any working directory and in a fresh clone.
enum Referentiel {
    /// The repository root (this file is `Tests/MetiersImportTests/Referentiel.swift`).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let textPath = root.appendingPathComponent("Index/referentiel-metiers-informatique.txt").path
    static let cardsPath = root.appendingPathComponent("Index/cards").path
    /// `ids.tsv` of the evaluation data, next to the repository; absent in some checkouts.
    static let idsTSVPath = root.appendingPathComponent("../shared/eval/ids.tsv").standardizedFileURL.path

    /// The referentiel text.
    static func text() throws -> String {
        try String(contentsOfFile: textPath, encoding: .utf8)
    }

    /// The referentiel's lines (split on "\n", the file's only line break).
    static func lines() throws -> [String] {
        try text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The cards imported from the referentiel.
    static func cards() throws -> [Card] {
        try ReferentielImporter.cards(fromText: text())
    }

    /// The 36 emploi-types: id, Sommaire name, famille and sous-famille of the correspondence
    /// table (the content of `shared/eval/ids.tsv`, kept here so the tests run without it).
    static let expected: [(id: String, name: String, famille: String, sousFamille: String?)] = [
        ("consultant-en-assistance-a-la-maitrise-d-ouvrage", "Consultant en assistance à la maîtrise d'ouvrage", "Conseil", "Métier"),
        ("consultant-metier", "Consultant métier", "Conseil", "Métier"),
        ("urbaniste", "Urbaniste", "Conseil", "Métier"),
        ("architecte-systeme-d-information", "Architecte système d'information", "Conseil", "Technique"),
        ("architecte-technique", "Architecte technique", "Conseil", "Technique"),
        ("consultant-technique", "Consultant technique", "Conseil", "Technique"),
        ("commercial", "Commercial", "Développement des affaires", "Commercial"),
        ("consultant-avant-vente", "Consultant avant-vente", "Développement des affaires", "Commercial"),
        ("responsable-commercial", "Responsable commercial", "Développement des affaires", "Commercial"),
        ("responsable-partenariats", "Responsable partenariats", "Développement des affaires", "Commercial"),
        ("chef-de-produits-et-offres", "Chef de produits et offres", "Développement des affaires", nil),
        ("analyste-fonctionnel", "Analyste fonctionnel", "Etudes et développement", nil),
        ("concepteur-developpeur", "Concepteur développeur", "Etudes et développement", nil),
        ("consultant-progiciel", "Consultant progiciel", "Etudes et développement", nil),
        ("responsable-des-etudes", "Responsable des études", "Management et gestion des engagements", "Management"),
        ("responsable-des-operations", "Responsable des opérations", "Management et gestion des engagements", "Management"),
        ("responsable-production", "Responsable production", "Management et gestion des engagements", "Management"),
        ("responsable-support", "Responsable support", "Management et gestion des engagements", "Management"),
        ("responsable-technique", "Responsable technique", "Management et gestion des engagements", "Management"),
        ("charge-des-methodes-outils-et-qualite", "Chargé des méthodes outils et qualité", "Management et gestion des engagements", "Méthodes outils et qualité"),
        ("responsable-methodes-et-outils", "Responsable méthodes et outils", "Management et gestion des engagements", "Méthodes outils et qualité"),
        ("chef-de-projet", "Chef de projet", "Management et gestion des engagements", "Projet"),
        ("directeur-de-projet", "Directeur de projet", "Management et gestion des engagements", "Projet"),
        ("manager-de-ressources", "Manager de ressources", "Management et gestion des engagements", "Projet"),
        ("analyste-test-et-validation", "Analyste test et validation", "Management et gestion des engagements", "Qualification"),
        ("chef-de-projet-test", "Chef de projet test", "Management et gestion des engagements", "Qualification"),
        ("consultant-en-processus-de-test", "Consultant en processus de test", "Management et gestion des engagements", "Qualification"),
        ("gestionnaire-de-contrats", "Gestionnaire de contrats", "Management et gestion des engagements", "Service"),
        ("gestionnaire-de-services", "Gestionnaire de services", "Management et gestion des engagements", "Service"),
        ("chef-de-projet-production", "Chef de projet production", "Production", "Exploitation"),
        ("integrateur-d-exploitation", "Intégrateur d'exploitation", "Production", "Exploitation"),
        ("pilote-d-exploitation", "Pilote d'exploitation", "Production", "Exploitation"),
        ("administrateur-d-infrastructure", "Administrateur d'infrastructure", "Production", "Infrastructure"),
        ("expert-infrastructure", "Expert infrastructure", "Production", "Infrastructure"),
        ("technicien-d-infrastructure", "Technicien d'infrastructure", "Production", "Infrastructure"),
        ("support-clients", "Support clients", "Production", "Support"),
    ]
}
