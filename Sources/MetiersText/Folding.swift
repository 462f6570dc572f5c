/// Unicode folding shared by ids, the importer, the indexer and the query side.
///
/// Folding is what makes `Développeur`, `developpeur` and `DÉVELOPPEUR` one word: canonical
/// decomposition, combining marks dropped, ligatures expanded (œ → oe, æ → ae), letters
/// lower-cased. Everything here works on Unicode scalars, never on bytes.
public enum Folding {
    /// Lower-cased, accent-free form of `text`; characters that are not letters or digits are
    /// kept as they are (the tokenizer decides what separates words).
    public static func fold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            appendFolded(scalar, to: &out)
        }
        return String(out)
    }

    /// Appends the folded form of one scalar.
    @inline(__always)
    static func appendFolded(_ scalar: Unicode.Scalar, to out: inout String.UnicodeScalarView) {
        let v = scalar.value
        if v < 0x80 {
            // ASCII fast path.
            if v >= 0x41 && v <= 0x5A {
                out.append(Unicode.Scalar(v + 0x20)!)
            } else {
                out.append(scalar)
            }
            return
        }
        switch v {
        case 0x0152, 0x0153: out.append("o"); out.append("e")  // Œ œ
        case 0x00C6, 0x00E6: out.append("a"); out.append("e")  // Æ æ
        case 0x00DF: out.append("s"); out.append("s")  // ß
        case 0x2019, 0x2018, 0x02BC, 0x00B4, 0x0060: out.append("'")  // typographic apostrophes
        case 0x00A0, 0x202F, 0x2007, 0x2009: out.append(" ")  // non-breaking and thin spaces
        case 0x00B7, 0x2022, 0x22C5: out.append(scalar)  // middle dots stay: inclusive forms need them
        default:
            if v >= 0x0300 && v <= 0x036F { return }  // combining marks of already-decomposed text
            if let base = latinBase(v) {
                out.append(base)
            } else {
                for lower in scalar.properties.lowercaseMapping.unicodeScalars { out.append(lower) }
            }
        }
    }

    /// The lower-case ASCII base letter of a Latin letter with diacritics (U+00C0–U+024F), from
    /// the canonical decompositions of the Unicode data; nil for anything else.
    static func latinBase(_ v: UInt32) -> Unicode.Scalar? {
        switch v {
        case 0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x01CD, 0x01CE, 0x01DE, 0x01DF, 0x01E0, 0x01E1, 0x01FA, 0x01FB, 0x0200, 0x0201, 0x0202, 0x0203, 0x0226, 0x0227: return "a"
        case 0x00C7, 0x00E7, 0x0106, 0x0107, 0x0108, 0x0109, 0x010A, 0x010B, 0x010C, 0x010D: return "c"
        case 0x010E, 0x010F: return "d"
        case 0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x0112, 0x0113, 0x0114, 0x0115, 0x0116, 0x0117, 0x0118, 0x0119, 0x011A, 0x011B, 0x0204, 0x0205, 0x0206, 0x0207, 0x0228, 0x0229: return "e"
        case 0x011C, 0x011D, 0x011E, 0x011F, 0x0120, 0x0121, 0x0122, 0x0123, 0x01E6, 0x01E7, 0x01F4, 0x01F5: return "g"
        case 0x0124, 0x0125, 0x021E, 0x021F: return "h"
        case 0x00CC, 0x00CD, 0x00CE, 0x00CF, 0x00EC, 0x00ED, 0x00EE, 0x00EF, 0x0128, 0x0129, 0x012A, 0x012B, 0x012C, 0x012D, 0x012E, 0x012F, 0x0130, 0x01CF, 0x01D0, 0x0208, 0x0209, 0x020A, 0x020B: return "i"
        case 0x0134, 0x0135, 0x01F0: return "j"
        case 0x0136, 0x0137, 0x01E8, 0x01E9: return "k"
        case 0x0139, 0x013A, 0x013B, 0x013C, 0x013D, 0x013E: return "l"
        case 0x00D1, 0x00F1, 0x0143, 0x0144, 0x0145, 0x0146, 0x0147, 0x0148, 0x01F8, 0x01F9: return "n"
        case 0x00D2, 0x00D3, 0x00D4, 0x00D5, 0x00D6, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x014C, 0x014D, 0x014E, 0x014F, 0x0150, 0x0151, 0x01A0, 0x01A1, 0x01D1, 0x01D2, 0x01EA, 0x01EB, 0x01EC, 0x01ED, 0x020C, 0x020D, 0x020E, 0x020F, 0x022A, 0x022B, 0x022C, 0x022D, 0x022E, 0x022F, 0x0230, 0x0231: return "o"
        case 0x0154, 0x0155, 0x0156, 0x0157, 0x0158, 0x0159, 0x0210, 0x0211, 0x0212, 0x0213: return "r"
        case 0x015A, 0x015B, 0x015C, 0x015D, 0x015E, 0x015F, 0x0160, 0x0161, 0x0218, 0x0219: return "s"
        case 0x0162, 0x0163, 0x0164, 0x0165, 0x021A, 0x021B: return "t"
        case 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x0168, 0x0169, 0x016A, 0x016B, 0x016C, 0x016D, 0x016E, 0x016F, 0x0170, 0x0171, 0x0172, 0x0173, 0x01AF, 0x01B0, 0x01D3, 0x01D4, 0x01D5, 0x01D6, 0x01D7, 0x01D8, 0x01D9, 0x01DA, 0x01DB, 0x01DC, 0x0214, 0x0215, 0x0216, 0x0217: return "u"
        case 0x0174, 0x0175: return "w"
        case 0x00DD, 0x00FD, 0x00FF, 0x0176, 0x0177, 0x0178, 0x0232, 0x0233: return "y"
        case 0x0179, 0x017A, 0x017B, 0x017C, 0x017D, 0x017E: return "z"
        default: return nil
        }
    }

    /// The public id of an emploi-type: its name folded, every run of characters other than
    /// `a-z0-9` turned into one `-`, no leading or trailing `-`.
    /// `"Consultant en assistance à la maîtrise d'ouvrage"` →
    /// `"consultant-en-assistance-a-la-maitrise-d-ouvrage"`.
    public static func slug(_ text: String) -> String {
        var out = ""
        var pendingDash = false
        for scalar in fold(text).unicodeScalars {
            let v = scalar.value
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        return out
    }
}

