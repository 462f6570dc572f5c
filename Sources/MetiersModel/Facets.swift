/// Counts over the cards matching a query, before paging: per famille, sous-famille and ROME
/// code. The search makes them; the wire carries them as they are.
public struct Facets: Codable, Equatable, Sendable {
    public var famille: [String: Int] = [:]
    public var sousFamille: [String: Int] = [:]
    public var rome: [String: Int] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case famille, rome
        case sousFamille = "sous_famille"
    }
}
