
/// The passerelles of the referentiel as a directed graph: an edge A → B says people move from
/// A to B (B lists A among its origines, or A lists B among its évolutions).
public struct MobilityGraph: Sendable {
    public let cards: [Card.Summary]
    /// Targets by source id, in card order.
    public let next: [String: [String]]
    /// Sources by target id.
    public let previous: [String: [String]]

    public init(cards: [Card.Summary]) {
        self.cards = cards
        var edges = Set<[String]>()
        var ordered: [(String, String)] = []
        func add(_ a: String, _ b: String) {
            if a != b, edges.insert([a, b]).inserted { ordered.append((a, b)) }
        }
        for card in cards {
            for origin in card.origines { add(origin, card.id) }
            for evolution in card.evolutions { add(card.id, evolution) }
        }
        var next: [String: [String]] = [:]
        var previous: [String: [String]] = [:]
        for (a, b) in ordered {
            next[a, default: []].append(b)
            previous[b, default: []].append(a)
        }
        self.next = next
        self.previous = previous
    }

    /// Every edge, sources in card order.
    public var edges: [(String, String)] {
        cards.flatMap { card in (next[card.id] ?? []).map { (card.id, $0) } }
    }

    /// Cards reachable from `id` within `steps` moves, with their distance, nearest first.
    public func reachable(from id: String, steps: Int, forward: Bool) -> [(id: String, distance: Int)] {
        var seen: [String: Int] = [id: 0]
        var frontier = [id]
        var result: [(String, Int)] = []
        for distance in 1...max(1, steps) {
            var following: [String] = []
            for node in frontier {
                for neighbour in (forward ? next[node] : previous[node]) ?? [] where seen[neighbour] == nil {
                    seen[neighbour] = distance
                    following.append(neighbour)
                    result.append((neighbour, distance))
                }
            }
            frontier = following
            if frontier.isEmpty { break }
        }
        return result
    }

    /// The neighbourhood of `id` within `steps` moves each way: the card (direction `center`),
    /// where people come from (`origin`), where they can go (`evolution`), or both, each at
    /// its nearest distance; and every edge between these cards, in card order.
    public func neighbourhood(of id: String, steps: Int) -> Neighbourhood {
        let from = reachable(from: id, steps: steps, forward: false)
        let to = reachable(from: id, steps: steps, forward: true)
        let byID = Dictionary(cards.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func node(_ id: String, _ distance: Int, _ direction: Neighbourhood.Direction) -> Neighbourhood.Node {
            Neighbourhood.Node(id: id, name: byID[id]?.name ?? id, famille: byID[id]?.famille ?? "", direction: direction, distance: distance)
        }
        var nodes = [node(id, 0, .center)]
        var index: [String: Int] = [id: 0]
        for (other, distance) in from where index[other] == nil {
            index[other] = nodes.count
            nodes.append(node(other, distance, .origin))
        }
        for (other, distance) in to {
            if let i = index[other] {
                if nodes[i].direction == .origin {
                    nodes[i].direction = .both
                    nodes[i].distance = min(nodes[i].distance, distance)
                }
            } else {
                index[other] = nodes.count
                nodes.append(node(other, distance, .evolution))
            }
        }
        let edges = self.edges.filter { index[$0.0] != nil && index[$0.1] != nil }.map { Neighbourhood.Edge(source: $0.0, target: $0.1) }
        return Neighbourhood(nodes: nodes, edges: edges)
    }
}

/// Cards around one card in the mobility graph (`MobilityGraph.neighbourhood`).
public struct Neighbourhood: Equatable, Sendable {
    public enum Direction: String, Codable, Sendable {
        /// The card asked about.
        case center
        /// People come from it to the card (backwards along the passerelles).
        case origin
        /// People can go to it from the card.
        case evolution
        /// Both: reachable forwards and backwards.
        case both
    }

    /// A card around the card asked about, as the protocol's `mobility` answer gives it.
    public struct Node: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        public var famille: String
        public var direction: Direction
        /// Moves from the card (0 for the card itself).
        public var distance: Int
    }

    /// A passerelle: people move from `source` to `target`.
    public struct Edge: Codable, Equatable, Sendable {
        public var source: String
        public var target: String
    }

    public var nodes: [Node]
    public var edges: [Edge]
}
