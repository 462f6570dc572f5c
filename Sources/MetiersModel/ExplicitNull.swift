/// An optional field written as JSON `null` when it has no value, instead of being left out:
/// for the fields the protocol's contract (docs/schema) and the card files require present.
/// Decoding accepts the key absent or null alike.
@propertyWrapper
public struct ExplicitNull<Wrapped> {
    public var wrappedValue: Wrapped?

    public init(wrappedValue: Wrapped?) {
        self.wrappedValue = wrappedValue
    }
}

extension ExplicitNull: Equatable where Wrapped: Equatable {}
extension ExplicitNull: Hashable where Wrapped: Hashable {}
extension ExplicitNull: Sendable where Wrapped: Sendable {}

extension ExplicitNull: Encodable where Wrapped: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

extension ExplicitNull: Decodable where Wrapped: Decodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(Wrapped.self)
    }
}

extension KeyedDecodingContainer {
    /// An absent key decodes as nil (synthesized decoding would call `decode`, which requires it).
    public func decode<Wrapped: Decodable>(_ type: ExplicitNull<Wrapped>.Type, forKey key: Key) throws -> ExplicitNull<Wrapped> {
        ExplicitNull(wrappedValue: try decodeIfPresent(Wrapped.self, forKey: key))
    }
}

extension CodingUserInfoKey {
    /// Set (to `true`) on the protocol's encoder: model types then write their wire form, which
    /// leaves out what the protocol does not carry (see `RomeAppellation`, `RomeDocument`).
    public static let metiersWire = CodingUserInfoKey(rawValue: "metiers.wire")!
}

extension Encoder {
    /// True when encoding a protocol message rather than an index or card file.
    var isMetiersWire: Bool { userInfo[.metiersWire] as? Bool == true }
}
