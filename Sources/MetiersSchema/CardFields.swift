import MetiersModel

/// Which text of a card goes into which field.
public enum CardFields {
    /// The card's texts by field prefix; each string is one item (one appellation, one bullet).
    public static func text(of card: Card) -> [(TermPrefix, [String])] {
        text(of: card, diplomas: true)
    }

    /// The texts that say what the job is: `text(of:)` without the formations and
    /// certifications, whose names ("BTS informatique", "Master pro", "Ecole d'ingénieurs") say
    /// how people come to the job. What a ROME title is attributed by (`RomeAttribution`).
    public static func jobText(of card: Card) -> [(TermPrefix, [String])] {
        text(of: card, diplomas: false)
    }

    private static func text(of card: Card, diplomas: Bool) -> [(TermPrefix, [String])] {
        let v = card.variabilite
        let c = card.conditionsExercice
        return [
            (.title, [card.name] + card.appellations.map(\.label)),
            (.activites, card.activitesPrincipales + card.activitesSpecifiques),
            (.description, [card.descriptionSynthetique]),
            (.savoirFaire, card.savoirFaire),
            (.connaissances, card.connaissances),
            (.other, [v.typeEntreprise, v.sectoriel, c.liaisonsExternes, c.liaisonsInternes, c.lieuDeTravail, card.prerequis]
                + (diplomas ? card.formations + card.certifications : []) + [card.parcours]),
        ]
    }
}
