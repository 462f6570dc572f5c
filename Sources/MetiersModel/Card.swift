/// One "fiche emploi-type" of the referentiel, with every field the referentiel gives.
///
/// Cards are written as `Index/cards/<id>.json`, pretty-printed with sorted keys; the JSON keys
/// are the snake_case names given in `CodingKeys`. Prose fields keep their paragraphs separated
/// by "\n"; list fields hold one item per bullet, without the bullet glyph.
public struct Card: Codable, Equatable, Hashable, Sendable {
    /// Public id: slug of the name as written in the Sommaire (`concepteur-developpeur`).
    public var id: String
    /// The name as written in the Sommaire ("Concepteur développeur").
    public var name: String
    /// Family, spelled as in the correspondence table ("Etudes et développement").
    public var famille: String
    /// Sub-family from the correspondence table, nil where the table gives none (written as
    /// null, so that every card has the same keys).
    @ExplicitNull public var sousFamille: String?
    /// Page of the card in the Sommaire.
    public var page: Int
    /// Every other title the card is known by, each with where it came from.
    public var appellations: [Appellation]
    public var activitesPrincipales: [String]
    public var activitesSpecifiques: [String]
    public var descriptionSynthetique: String
    public var savoirFaire: [String]
    public var connaissances: [String]
    public var variabilite: Variabilite
    public var conditionsExercice: ConditionsExercice
    /// "Pré requis d'accès à l'emploi".
    public var prerequis: String
    /// "Principales formations".
    public var formations: [String]
    public var certifications: [String]
    /// "Parcours dans l'emploi".
    public var parcours: String
    public var passerelles: Passerelles
    /// ROME codes of the older generation (M1805, …); empty where the card says "Non pertinent".
    public var rome: [String]

    public init(
        id: String, name: String, famille: String, sousFamille: String?, page: Int,
        appellations: [Appellation], activitesPrincipales: [String], activitesSpecifiques: [String],
        descriptionSynthetique: String, savoirFaire: [String], connaissances: [String],
        variabilite: Variabilite, conditionsExercice: ConditionsExercice, prerequis: String,
        formations: [String], certifications: [String], parcours: String,
        passerelles: Passerelles, rome: [String]
    ) {
        self.id = id
        self.name = name
        self.famille = famille
        self.sousFamille = sousFamille
        self.page = page
        self.appellations = appellations
        self.activitesPrincipales = activitesPrincipales
        self.activitesSpecifiques = activitesSpecifiques
        self.descriptionSynthetique = descriptionSynthetique
        self.savoirFaire = savoirFaire
        self.connaissances = connaissances
        self.variabilite = variabilite
        self.conditionsExercice = conditionsExercice
        self.prerequis = prerequis
        self.formations = formations
        self.certifications = certifications
        self.parcours = parcours
        self.passerelles = passerelles
        self.rome = rome
    }

    enum CodingKeys: String, CodingKey {
        case id, name, famille, page, appellations, connaissances, variabilite, prerequis
        case formations, certifications, parcours, passerelles, rome
        case sousFamille = "sous_famille"
        case activitesPrincipales = "activites_principales"
        case activitesSpecifiques = "activites_specifiques"
        case descriptionSynthetique = "description_synthetique"
        case savoirFaire = "savoir_faire"
        case conditionsExercice = "conditions_exercice"
    }
}

extension Card {
    /// A card's summary: who it is, its codes and titles, and its passerelles (what the `cards`
    /// operation lists, for exports and the mobility graph).
    public struct Summary: Codable, Equatable, Hashable, Sendable {
        public var id: String
        public var name: String
        public var famille: String
        @ExplicitNull public var sousFamille: String?
        public var rome: [String]
        /// The labels of the card's appellations.
        public var appellations: [String]
        /// Passerelles: card ids people come from and go to.
        public var origines: [String]
        public var evolutions: [String]

        public init(
            id: String, name: String, famille: String, sousFamille: String?, rome: [String], appellations: [String],
            origines: [String], evolutions: [String]
        ) {
            self.id = id
            self.name = name
            self.famille = famille
            self.sousFamille = sousFamille
            self.rome = rome
            self.appellations = appellations
            self.origines = origines
            self.evolutions = evolutions
        }

        enum CodingKeys: String, CodingKey {
            case id, name, famille, rome, appellations, origines, evolutions
            case sousFamille = "sous_famille"
        }
    }

    public var summary: Summary {
        Summary(
            id: id, name: name, famille: famille, sousFamille: sousFamille, rome: rome, appellations: appellations.map(\.label),
            origines: passerelles.origines, evolutions: passerelles.evolutions)
    }
}

/// A title a card is known by.
public struct Appellation: Codable, Equatable, Hashable, Sendable {
    public enum Source: String, Codable, Sendable, CaseIterable {
        /// The card's "Appellations courantes" list.
        case courante
        /// The card's "Appellations en Anglais" list.
        case anglais
        /// A row of the "Appellations courantes" correspondence table that maps to this card.
        case table
    }

    public var label: String
    public var source: Source

    public init(label: String, source: Source) {
        self.label = label
        self.source = source
    }
}

/// "Variabilité de l'emploi".
public struct Variabilite: Codable, Equatable, Hashable, Sendable {
    public var typeEntreprise: String
    public var sectoriel: String

    public init(typeEntreprise: String, sectoriel: String) {
        self.typeEntreprise = typeEntreprise
        self.sectoriel = sectoriel
    }

    enum CodingKeys: String, CodingKey {
        case typeEntreprise = "type_entreprise"
        case sectoriel
    }
}

/// "Conditions d'exercice".
public struct ConditionsExercice: Codable, Equatable, Hashable, Sendable {
    /// "Liaisons - relations", Externes.
    public var liaisonsExternes: String
    /// "Liaisons - relations", Internes.
    public var liaisonsInternes: String
    /// "Lieu(x) de travail".
    public var lieuDeTravail: String

    public init(liaisonsExternes: String, liaisonsInternes: String, lieuDeTravail: String) {
        self.liaisonsExternes = liaisonsExternes
        self.liaisonsInternes = liaisonsInternes
        self.lieuDeTravail = lieuDeTravail
    }

    enum CodingKeys: String, CodingKey {
        case liaisonsExternes = "liaisons_externes"
        case liaisonsInternes = "liaisons_internes"
        case lieuDeTravail = "lieu_de_travail"
    }
}

/// "Passerelles": the cards people come from and go to, as card ids.
///
/// A passerelle may name a whole famille or sous-famille ("Famille : Conseil"): its cards are in
/// the id lists, and the label as written is kept in the `autres…` list. A destination the
/// referentiel has no card for ("Marketing", "Directeur général") is kept, as written, in the
/// `autres…` list only. Nothing the referentiel names is dropped.
public struct Passerelles: Codable, Equatable, Hashable, Sendable {
    public var origines: [String]
    public var evolutions: [String]
    /// Origines that are not one card: famille and sous-famille labels, jobs outside the referentiel.
    public var autresOrigines: [String]
    /// Évolutions that are not one card.
    public var autresEvolutions: [String]

    public init(origines: [String], evolutions: [String], autresOrigines: [String] = [], autresEvolutions: [String] = []) {
        self.origines = origines
        self.evolutions = evolutions
        self.autresOrigines = autresOrigines
        self.autresEvolutions = autresEvolutions
    }

    enum CodingKeys: String, CodingKey {
        case origines, evolutions
        case autresOrigines = "autres_origines"
        case autresEvolutions = "autres_evolutions"
    }
}
