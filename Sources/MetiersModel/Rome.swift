/// One ROME appellation: a job title, tied to a fine métier code and to the older-generation
/// parent code that the job cards carry.
///
/// The protocol carries the four identifying fields only (docs/schema, `romeAppellation`): an
/// encoder with `CodingUserInfoKey.metiersWire` leaves the catalogue flags `principal` and
/// `rarely_used` out, and decoding reads them as false when they are absent.
public struct RomeAppellation: Codable, Sendable, Equatable {
    /// The appellation's id in ROME (`38972`).
    public var codeOgr: String
    /// The long label, both genders (`Développeur / Développeuse web`).
    public var label: String
    /// The fine métier code (`M1855`).
    public var codeRome: String
    /// The older-generation code the fine code belongs to (`M1805`).
    public var codeRomeParent: String
    /// ROME's main title for its métier (classification PRINCIPALE), not a synonym. Not on the wire.
    public var principal: Bool
    /// ROME flags the title as rarely used. Not on the wire.
    public var rarelyUsed: Bool

    public init(codeOgr: String, label: String, codeRome: String, codeRomeParent: String, principal: Bool, rarelyUsed: Bool) {
        self.codeOgr = codeOgr
        self.label = label
        self.codeRome = codeRome
        self.codeRomeParent = codeRomeParent
        self.principal = principal
        self.rarelyUsed = rarelyUsed
    }

    enum CodingKeys: String, CodingKey {
        case label, principal
        case codeOgr = "code_ogr"
        case codeRome = "code_rome"
        case codeRomeParent = "code_rome_parent"
        case rarelyUsed = "rarely_used"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        codeOgr = try c.decode(String.self, forKey: .codeOgr)
        label = try c.decode(String.self, forKey: .label)
        codeRome = try c.decode(String.self, forKey: .codeRome)
        codeRomeParent = try c.decode(String.self, forKey: .codeRomeParent)
        principal = try c.decodeIfPresent(Bool.self, forKey: .principal) ?? false
        rarelyUsed = try c.decodeIfPresent(Bool.self, forKey: .rarelyUsed) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(codeOgr, forKey: .codeOgr)
        try c.encode(label, forKey: .label)
        try c.encode(codeRome, forKey: .codeRome)
        try c.encode(codeRomeParent, forKey: .codeRomeParent)
        guard !encoder.isMetiersWire else { return }
        try c.encode(principal, forKey: .principal)
        try c.encode(rarelyUsed, forKey: .rarelyUsed)
    }
}

/// One ROME métier (a fine code, or an older-generation code that is its own parent).
public struct RomeMetier: Codable, Sendable, Equatable {
    public var code: String
    public var label: String
    /// The older-generation code (equal to `code` for the métiers that kept their code).
    public var parent: String

    public init(code: String, label: String, parent: String) {
        self.code = code
        self.label = label
        self.parent = parent
    }
}

extension RomeMetier {
    /// True for a well-formed ROME code: a letter A–N and four digits (`M1805`). The one check
    /// of the code format, for the importers and for requests.
    public static func isValidCode(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard bytes.count == 5, bytes[0] >= 0x41, bytes[0] <= 0x4E else { return false }
        return bytes.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}

/// A ROME appellation with the card it is attributed to: a document's data in the ROME
/// database (`{"appellation": {…}, "card": …}`), and on the wire one flat object, the
/// appellation's fields beside `card`, null when there is none (the `rome` operation).
public struct RomeDocument: Codable, Sendable, Equatable {
    public var appellation: RomeAppellation
    /// The card the appellation is attributed to, if any.
    public var card: String?

    public init(appellation: RomeAppellation, card: String?) {
        self.appellation = appellation
        self.card = card
    }

    enum CodingKeys: String, CodingKey {
        case appellation, card
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        appellation = c.contains(.appellation) ? try c.decode(RomeAppellation.self, forKey: .appellation) : try RomeAppellation(from: decoder)
        card = try c.decodeIfPresent(String.self, forKey: .card)
    }

    public func encode(to encoder: any Encoder) throws {
        if encoder.isMetiersWire {
            try appellation.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(ExplicitNull(wrappedValue: card), forKey: .card)
        } else {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(appellation, forKey: .appellation)
            try c.encodeIfPresent(card, forKey: .card)
        }
    }
}
