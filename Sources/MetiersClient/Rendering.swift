import MetiersModel
import MetiersProtocol

/// Human-readable renderings of responses for the terminal.
public enum Rendering {
    /// Search and map results as a table, best first, each with the passage that matched.
    public static func results(_ response: Response) -> String {
        let body: SearchBody
        switch response.body {
        case .search(let search), .map(let search): body = search
        default: return ""
        }
        let results = body.results
        var out = ""
        if let didYouMean = body.didYouMean {
            out += "did you mean: \(didYouMean)\n"
        }
        if results.isEmpty {
            out += "no emploi-type fits (match: \(body.match))\n"
            if let nearest = body.nearestRome {
                out += "nearest ROME métier: \(nearest.codeRome) \(nearest.label) (matched \"\(nearest.appellation.label)\")\n"
            }
            return out
        }
        let rows = results.enumerated().map { index, result -> [String] in
            let codes: String = result.rome.isEmpty ? "-" : result.rome.joined(separator: ",")
            let rome: String = result.romeAppellation.map { "\($0.codeRome) < \($0.codeRomeParent)" } ?? codes
            return [
                String(index + 1), result.id, result.famille, rome,
                formatScore(result.confidence),
                result.matchedTitle.map { "title: \($0)" }
                    ?? result.snippet.map { "\($0.field): \(shorten($0.marked(), to: 70))" } ?? "",
            ]
        }
        out += table(header: ["#", "id", "famille", "rome", "conf", "why"], rows: rows)
        if body.total > results.count {
            out += "\(results.count) shown; \(body.total) cards share words with the query\n"
        }
        return out
    }

    /// A ROME code: its métier, fine codes, the cards that carry it and its appellations.
    public static func rome(_ code: RomeCode) -> String {
        var out = "\(code.code)  \(code.label)"
        out += code.parent == code.code ? "  (older-generation code)\n" : "  (fine code under \(code.parent))\n"
        out += "cards: " + (code.cards.isEmpty ? "none of the 36" : code.cards.map(\.id).joined(separator: ", ")) + "\n"
        if !code.fineCodes.isEmpty {
            out += "\nfine codes:\n" + table(header: ["code", "label"], rows: code.fineCodes.map { [$0.code, $0.label] })
        }
        out += "\nappellations (\(code.appellations.count)):\n"
        out += table(
            header: ["code_ogr", "code", "label", "card"],
            rows: code.appellations.map { [$0.appellation.codeOgr, $0.appellation.codeRome, $0.appellation.label, $0.card ?? "-"] })
        return out
    }

    static func shorten(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
    }

    /// A card with every field.
    public static func card(_ card: Card) -> String {
        var out = "\(card.name)  [\(card.id)]\n"
        out += "famille: \(card.famille)"
        if let sousFamille = card.sousFamille { out += " / \(sousFamille)" }
        out += "\nROME: \(card.rome.isEmpty ? "non pertinent" : card.rome.joined(separator: ", "))   page \(card.page)\n"
        func section(_ title: String, _ items: [String]) {
            let items = items.filter { !$0.isEmpty }
            guard !items.isEmpty else { return }
            out += "\n\(title)\n"
            for item in items { out += "  - \(item)\n" }
        }
        func prose(_ title: String, _ text: String) {
            guard !text.isEmpty else { return }
            out += "\n\(title)\n"
            for paragraph in text.split(separator: "\n") { out += "  \(paragraph)\n" }
        }
        section("Appellations", card.appellations.map { "\($0.label) (\($0.source.rawValue))" })
        prose("Description synthétique", card.descriptionSynthetique)
        section("Activités principales", card.activitesPrincipales)
        section("Activités spécifiques", card.activitesSpecifiques)
        section("Savoir-faire", card.savoirFaire)
        section("Connaissances", card.connaissances)
        prose("Variabilité : type d'entreprise", card.variabilite.typeEntreprise)
        prose("Variabilité : sectoriel", card.variabilite.sectoriel)
        prose("Liaisons externes", card.conditionsExercice.liaisonsExternes)
        prose("Liaisons internes", card.conditionsExercice.liaisonsInternes)
        prose("Lieu de travail", card.conditionsExercice.lieuDeTravail)
        prose("Pré-requis", card.prerequis)
        section("Formations", card.formations)
        section("Certifications", card.certifications)
        prose("Parcours dans l'emploi", card.parcours)
        section("Origines possibles", card.passerelles.origines)
        section("Évolutions possibles", card.passerelles.evolutions)
        return out
    }

    /// Health as key: value lines.
    public static func health(_ response: Response) -> String {
        guard case .health(let health) = response.body else { return "" }
        var out = ""
        out += "status:           \(health.status)\n"
        out += "protocol version: \(health.protocolVersion)\n"
        out += "index version:    \(response.indexVersion ?? "?")\n"
        out += "index built at:   \(health.builtAt)\n"
        out += "cards:            \(health.cardCount)\n"
        out += "uptime:           \(formatScore(health.uptimeSeconds)) s\n"
        return out
    }

    /// A plain-text table with columns padded to their widest cell.
    public static func table(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var s = ""
            for (i, cell) in cells.enumerated() {
                if i == cells.count - 1 {
                    s += cell
                } else {
                    s += cell + String(repeating: " ", count: widths[i] - cell.count + 2)
                }
            }
            while s.hasSuffix(" ") { s.removeLast() }
            return s + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    public static func formatScore(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        var s = String(scaled)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }
}
