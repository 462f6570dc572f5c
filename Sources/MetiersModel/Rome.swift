/// One ROME appellation: a job title, tied to a fine métier code and to the older-generation
/// parent code that the job cards carry.
public struct RomeAppellation: Codable, Sendable, Equatable {
    /// The appellation's id in ROME (`38972`).
    public var codeOgr: String
    /// The long label, both genders (`Développeur / Développeuse web`).
    public var label: String
    /// The fine métier code (`M1855`).
    public var codeRome: String
    /// The older-generation code the fine code belongs to (`M1805`).
    public var codeRomeParent: String
    /// ROME's main title for its métier (classification PRINCIPALE), not a synonym.
    public var principal: Bool
    /// ROME flags the title as rarely used.
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

/// A ROME appellation as the ROME database stores it (a document's data).
public struct RomeDocument: Codable, Sendable, Equatable {
    public var appellation: RomeAppellation
    /// The card the appellation is attributed to, if any.
    public var card: String?

    public init(appellation: RomeAppellation, card: String?) {
        self.appellation = appellation
        self.card = card
    }
}
