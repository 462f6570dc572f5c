import MetiersModel

/// SplitMix64: a small seeded generator, so every run draws the same queries and cards.
struct SeededRNG: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array {
    func pick(_ rng: inout SeededRNG) -> Element { self[Int.random(in: 0..<count, using: &rng)] }
}

/// Text pools drawn from the real cards: titles, and sentences by field.
struct TextPools {
    var titles: [String] = []
    var activites: [String] = []
    var description: [String] = []
    var savoirFaire: [String] = []
    var connaissances: [String] = []
    var other: [String] = []
    var formations: [String] = []
    var words: [String] = []
    /// Per card: its titles and its own sentences (for postings about that card).
    var cardTitles: [[String]] = []
    var cardSentences: [[String]] = []

    init(cards: [Card]) {
        var seenTitles = Set<String>()
        for card in cards {
            let titles = [card.name] + card.appellations.map(\.label)
            for t in titles where seenTitles.insert(t).inserted { self.titles.append(t) }
            cardTitles.append(titles)
            let descriptionSentences = Self.sentences(card.descriptionSynthetique)
            activites += card.activitesPrincipales + card.activitesSpecifiques
            description += descriptionSentences
            savoirFaire += card.savoirFaire
            connaissances += card.connaissances
            formations += card.formations
            other += [card.prerequis, card.parcours, card.variabilite.typeEntreprise, card.variabilite.sectoriel,
                      card.conditionsExercice.liaisonsExternes, card.conditionsExercice.liaisonsInternes,
                      card.conditionsExercice.lieuDeTravail].flatMap(Self.sentences)
            cardSentences.append(card.activitesPrincipales + card.activitesSpecifiques + descriptionSentences + card.savoirFaire + card.connaissances)
        }
        activites = activites.filter { !$0.isEmpty }
        description = description.filter { !$0.isEmpty }
        savoirFaire = savoirFaire.filter { !$0.isEmpty }
        connaissances = connaissances.filter { !$0.isEmpty }
        other = other.filter { !$0.isEmpty }
        formations = formations.filter { !$0.isEmpty }
        words = (activites + description + savoirFaire + connaissances).flatMap { $0.split(separator: " ").map(String.init) }
            .filter { $0.count >= 4 && $0.allSatisfy { $0.isLetter || $0 == "-" } }
    }

    static func sentences(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" }).flatMap { paragraph in
            paragraph.split(separator: ". ").map { String($0).trimming(" .") }
        }.filter { !$0.isEmpty }
    }

    /// Phrases of a real job posting that say nothing about the job itself.
    static let postingNoise = [
        "Poste en CDI basé à Paris, télétravail partiel possible deux jours par semaine.",
        "Salaire selon profil et expérience, entre 45 et 55 k€ brut annuel.",
        "Rejoignez une équipe dynamique au sein d'un groupe en forte croissance.",
        "Avantages : tickets restaurant, mutuelle, RTT et prime annuelle.",
        "Vous êtes diplômé d'un Bac+5 en informatique ou équivalent.",
        "Poste à pourvoir rapidement à Lyon, déplacements ponctuels en région.",
        "Notre processus de recrutement comprend deux entretiens et un test technique.",
        "Nous nous engageons pour la diversité et l'inclusion.",
    ]
}

extension String {
    func trimming(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

/// The queries every section uses.
struct Workload {
    /// Job titles, as users type them: the referentiel's own names and appellations.
    var titles: [String]
    /// 300-word job postings: a title head ("… H/F - ") and a body of a card's sentences mixed
    /// with other cards' and with recruiting noise.
    var postings: [String]

    static let postingWords = 300

    init(pools: TextPools, postingCount: Int, seed: UInt64) {
        var rng = SeededRNG(seed: seed)
        titles = pools.titles.shuffled(using: &rng)
        postings = (0..<postingCount).map { _ in Self.posting(pools: pools, words: Self.postingWords, rng: &rng) }
    }

    /// A posting about a random card, exactly `words` words long.
    static func posting(pools: TextPools, words count: Int, rng: inout SeededRNG) -> String {
        let (head, body) = postingParts(pools: pools, words: count, rng: &rng)
        let headWords = head.split(separator: " ").count + 1
        return head + " - " + body.split(separator: " ").prefix(max(1, count - headWords)).joined(separator: " ")
    }

    /// (title head, body of about `words` words).
    static func postingParts(pools: TextPools, words count: Int, rng: inout SeededRNG) -> (String, String) {
        let c = Int.random(in: 0..<pools.cardTitles.count, using: &rng)
        let head = pools.cardTitles[c].pick(&rng) + " H/F"
        var parts: [String] = []
        var n = 0
        while n < count + 20 {
            let r = Int.random(in: 0..<10, using: &rng)
            let sentence: String
            if r < 6 {
                sentence = pools.cardSentences[c].pick(&rng)
            } else if r < 8 {
                sentence = [pools.activites, pools.savoirFaire, pools.connaissances].pick(&rng).pick(&rng)
            } else {
                sentence = TextPools.postingNoise.pick(&rng)
            }
            parts.append(sentence.hasSuffix(".") ? sentence : sentence + ".")
            n += sentence.split(separator: " ").count
        }
        return (head, parts.joined(separator: " "))
    }

    /// Postings for `classify`: (id, title, description of about `words` words).
    static func classifyPostings(pools: TextPools, count: Int, words: Int, seed: UInt64) -> [(String, String, String)] {
        var rng = SeededRNG(seed: seed)
        return (0..<count).map { i in
            let (title, body) = postingParts(pools: pools, words: words, rng: &rng)
            return ("p\(i + 1)", title, body.split(separator: " ").prefix(words).joined(separator: " "))
        }
    }
}

/// Synthetic cards for the growth section: real-looking fields from the real cards' sentences.
enum SyntheticCards {
    static func make(count: Int, from real: [Card], pools: TextPools, seed: UInt64) -> [Card] {
        var rng = SeededRNG(seed: seed)
        var cards: [Card] = []
        cards.reserveCapacity(count)
        for i in 0..<count {
            let t = real.pick(&rng)
            func sample(_ pool: [String], _ n: Int) -> [String] { (0..<max(1, n)).map { _ in pool.pick(&rng) } }
            // A title: a real one, sometimes with a word of another title or of the text.
            func title() -> String {
                let base = pools.titles.pick(&rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: return base
                case 1: return base + " " + (pools.titles.pick(&rng).split(separator: " ").last.map(String.init) ?? "")
                default: return base + " " + pools.words.pick(&rng)
                }
            }
            let appellations = (0..<Int.random(in: 3...10, using: &rng)).map { _ in
                Appellation(label: title(), source: [.courante, .anglais, .table].pick(&rng))
            }
            let description = sample(pools.description, Int.random(in: 3...7, using: &rng)).joined(separator: ". ") + "."
            cards.append(Card(
                id: "synthetic-" + String(repeating: "0", count: max(0, 6 - String(i).count)) + String(i),
                name: title(), famille: t.famille, sousFamille: t.sousFamille, page: i + 1,
                appellations: appellations,
                activitesPrincipales: sample(pools.activites, t.activitesPrincipales.count),
                activitesSpecifiques: sample(pools.activites, t.activitesSpecifiques.count),
                descriptionSynthetique: description,
                savoirFaire: sample(pools.savoirFaire, t.savoirFaire.count),
                connaissances: sample(pools.connaissances, t.connaissances.count),
                variabilite: Variabilite(typeEntreprise: pools.other.pick(&rng), sectoriel: pools.other.pick(&rng)),
                conditionsExercice: ConditionsExercice(liaisonsExternes: pools.other.pick(&rng), liaisonsInternes: pools.other.pick(&rng), lieuDeTravail: pools.other.pick(&rng)),
                prerequis: pools.other.pick(&rng), formations: sample(pools.formations, t.formations.count),
                certifications: t.certifications, parcours: pools.other.pick(&rng),
                passerelles: Passerelles(origines: [], evolutions: []), rome: t.rome))
        }
        return cards
    }

    static func wordCount(_ cards: [Card]) -> Int {
        cards.reduce(0) { sum, card in
            sum + (([card.name] + card.appellations.map(\.label) + card.activitesPrincipales + card.activitesSpecifiques
                + [card.descriptionSynthetique] + card.savoirFaire + card.connaissances + card.formations
                + [card.prerequis, card.parcours]).reduce(0) { $0 + $1.split(separator: " ").count })
        }
    }
}

/// JSON request lines, built by hand so that the bench does not depend on the protocol
/// module's evolving types (and the request bytes are exactly what is measured).
enum Lines {
    static func escaped(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// The prefix every bench search line starts with; the echo server reads the id after it.
    static let idPrefix = Array(#"{"v":1,"id":"#.utf8)

    static func search(id: Int, query: String, limit: Int) -> [UInt8] {
        Array(#"{"v":1,"id":\#(id),"op":"search","query":\#(escaped(query)),"limit":\#(limit)}"#.utf8)
    }

    static let health = Array(#"{"v":1,"op":"health"}"#.utf8)

    static func classify(id: Int, postings: ArraySlice<(String, String, String)>) -> [UInt8] {
        let items = postings.map { #"{"id":\#(escaped($0.0)),"title":\#(escaped($0.1)),"description":\#(escaped($0.2))}"# }
        return Array(#"{"v":1,"id":\#(id),"op":"classify","postings":[\#(items.joined(separator: ","))]}"#.utf8)
    }
}

extension Array where Element == UInt8 {
    /// True when `needle` occurs in the bytes.
    func contains(bytes needle: [UInt8]) -> Bool {
        guard needle.count <= count, !needle.isEmpty else { return needle.isEmpty }
        return withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { n in
                let first = n[0]
                var i = 0
                let last = hay.count - n.count
                while i <= last {
                    if hay[i] == first {
                        var j = 1
                        while j < n.count && hay[i + j] == n[j] { j += 1 }
                        if j == n.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

let okTrue = Array(#""ok":true"#.utf8)
let unknownOp = Array(#""unknown_op""#.utf8)
