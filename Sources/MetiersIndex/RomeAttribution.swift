#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersImport
import MetiersModel
import MetiersSchema
import MetiersText
#if canImport(Glibc)
import Glibc
#endif

/// Which card each ROME appellation under the cards' codes extends.
///
/// Several cards share an older-generation code (M1805 is carried by four), so a title under
/// that code is attributed to the one card whose text it matches best: the sum, over the
/// title's stems, of the stem's rarity among the 36 cards (idf) times the weight of the best
/// field of the card that has it (its name 4, other titles 3, activités and description 1.5,
/// savoir-faire 1, connaissances 0.8, the rest 0.3, the formations and certifications not at
/// all: a diploma's name, "BTS informatique", does not make every "… informatique" title the
/// card's; `CardFields.jobText`), plus 100 when the title is one of the
/// card's own appellations. The vocabulary's (`Config/vocabulary.tsv`) expansions of the title's words count too, at 0.8
/// (as at query time). The best card must score at least 1.1 times the runner-up: a title that
/// no candidate shares a word with, or a close call ("Ingénieur DevOps" scores the same on two
/// cards), stays unattributed, unless only one card carries its code. The result is kept as a
/// reviewable table in `Index/rome/attribution.tsv` (`metiers-index rome-table`).
public struct RomeAttribution: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var appellation: RomeAppellation
        /// The card it extends; nil when none of the candidates matches it.
        public var card: String?
        public var score: Double
        /// The best other candidate, for review.
        public var runnerUp: String?
        public var runnerUpScore: Double
        /// Cards that carry the appellation's parent code.
        public var candidates: [String]
    }

    /// One entry per appellation whose parent code some card carries, in ROME id order.
    public var entries: [Entry]

    /// The older-generation codes the cards carry.
    public var cardCodes: Set<String>

    static let nameWeight = 4.0
    /// The best card must score at least this many times the runner-up.
    static let leadFactor = 1.1
    static let fieldWeights: [TermPrefix: Double] = [.title: 3, .activites: 1.5, .description: 1.5, .savoirFaire: 1, .connaissances: 0.8, .other: 0.3]

    public static func compute(cards: [Card], catalog: RomeCatalog, vocabulary: Vocabulary = Vocabulary(), analyzer: FrenchAnalyzer) -> RomeAttribution {
        // The vocabulary as (alias stems, expansion stems).
        let aliases: [([String], [String])] = vocabulary.entries.flatMap { entry in
            let expansion = analyzer.analyse(entry.expansion).map(\.stem)
            return entry.aliases.map { (analyzer.analyse($0).map(\.stem), expansion) }.filter { !$0.0.isEmpty }
        }
        let ordered = cards.sorted { ($0.page, $0.id) < ($1.page, $1.id) }
        // Per card, per stem, the weight of the best field that has it.
        var fieldOf: [String: [String: Double]] = [:]
        var keys: [String: Set<String>] = [:]
        var documentFrequency: [String: Int] = [:]
        for card in ordered {
            var best: [String: Double] = [:]
            // The card's name weighs most: "Technicien informatique" goes to the technician card.
            for term in analyzer.analyse(card.name) { best[term.stem] = nameWeight }
            for (prefix, texts) in CardFields.jobText(of: card) {
                let weight = fieldWeights[prefix] ?? 0
                for text in texts {
                    for term in analyzer.analyse(text) where weight > (best[term.stem] ?? 0) { best[term.stem] = weight }
                }
            }
            for stem in best.keys { documentFrequency[stem, default: 0] += 1 }
            fieldOf[card.id] = best
            keys[card.id] = Set(([card.name] + card.appellations.map(\.label)).flatMap(TitleKey.variants).map { TitleKey.key(TitleKey.words(of: $0)) })
        }
        let n = Double(ordered.count)
        var entries: [Entry] = []
        var cardCodes = Set<String>()
        for card in ordered { cardCodes.formUnion(card.rome) }
        for appellation in catalog.appellations.sorted(by: { (Int($0.codeOgr) ?? 0, $0.codeOgr) < (Int($1.codeOgr) ?? 0, $1.codeOgr) })
        where cardCodes.contains(appellation.codeRomeParent) {
            let candidates = ordered.filter { $0.rome.contains(appellation.codeRomeParent) }.map(\.id)
            let sequence = analyzer.analyse(appellation.label).map(\.stem)
            let stems = Set(sequence)
            var expanded = Set<String>()
            for (alias, expansion) in aliases where alias.count <= sequence.count {
                for start in 0...(sequence.count - alias.count) where Array(sequence[start..<(start + alias.count)]) == alias {
                    expanded.formUnion(expansion)
                }
            }
            expanded.subtract(stems)
            let titleKeys = Set(RomeTitles.variants(of: appellation.label).map { TitleKey.key(TitleKey.words(of: $0)) })
            var scored: [(String, Double)] = []
            for id in candidates {
                var score = 0.0
                for stem in stems {
                    guard let weight = fieldOf[id]?[stem] else { continue }
                    score += weight * log(n / Double(documentFrequency[stem] ?? 1))
                }
                for stem in expanded {
                    guard let weight = fieldOf[id]?[stem] else { continue }
                    score += 0.8 * weight * log(n / Double(documentFrequency[stem] ?? 1))
                }
                if !titleKeys.isDisjoint(with: keys[id] ?? []) { score += 100 }
                scored.append((id, (score * 1000).rounded() / 1000))
            }
            // Stable: the Sommaire order breaks ties.
            let ranked = scored.enumerated().sorted { ($0.element.1, -$0.offset) > ($1.element.1, -$1.offset) }.map(\.element)
            let best = ranked.first!
            // A close call attributes nothing: a title that fits two cards about as well would
            // pull queries to one of them on a coin toss ("Ingénieur DevOps" ties between two).
            let clear = ranked.count == 1 || best.1 >= Self.leadFactor * ranked[1].1
            let attributed = candidates.count == 1 || (best.1 > 0 && clear) ? best.0 : nil
            entries.append(Entry(
                appellation: appellation, card: attributed, score: best.1,
                runnerUp: ranked.count > 1 ? ranked[1].0 : nil, runnerUpScore: ranked.count > 1 ? ranked[1].1 : 0,
                candidates: candidates))
        }
        return RomeAttribution(entries: entries, cardCodes: cardCodes)
    }

    /// The appellations attributed to each card id.
    public var byCard: [String: [RomeAppellation]] {
        var result: [String: [RomeAppellation]] = [:]
        for entry in entries { if let card = entry.card { result[card, default: []].append(entry.appellation) } }
        return result
    }

    /// The reviewable table: one line per appellation under the cards' codes.
    public var table: String {
        var lines = ["# ROME appellations under the job cards' codes and the card each one extends.",
                     "# Generated by `metiers-index rome-table` from Index/rome/*.csv and Index/cards; see RomeAttribution.swift.",
                     "code_ogr\tlabel\tcode_rome\tcode_rome_parent\tcard\tscore\trunner_up\trunner_up_score\tcandidates"]
        for e in entries {
            let a = e.appellation
            lines.append([a.codeOgr, a.label, a.codeRome, a.codeRomeParent, e.card ?? "-", format(e.score),
                          e.runnerUp ?? "-", e.runnerUp == nil ? "-" : format(e.runnerUpScore), e.candidates.joined(separator: ",")]
                .joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Three decimals, without Foundation's formatter.
    private func format(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(abs(thousandths) % 1000)
        return "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}

/// The titles a ROME label stands for, for title keys: the label, its variants as for the
/// cards' appellations, and each part around " - " that has two distinct words or more
/// ("Gestionnaire de contrats de vente - Contract manager").
public enum RomeTitles {
    public static func variants(of label: String) -> [String] {
        var result = TitleKey.variants(of: label)
        let parts = label.components(separatedBy: " - ")
        if parts.count > 1 {
            // Two distinct words: "Développeur / Développeuse - jeux vidéo" must not yield the
            // bare title "Développeur / Développeuse".
            for part in parts where Set(TitleKey.words(of: part)).count >= 2 { result += TitleKey.variants(of: part) }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }
}
