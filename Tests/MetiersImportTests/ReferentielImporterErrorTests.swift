import Foundation
import MetiersImport
import Testing

/// Broken referentiels: each must give an ``ImportError`` naming the line and what was expected,
/// never a crash.
struct ReferentielImporterErrorTests {
    /// The error importing `text` gives, nil if it imports.
    private func failure(_ text: String) -> ImportError? {
        do {
            _ = try ReferentielImporter.cards(fromText: text)
            return nil
        } catch {
            return error
        }
    }

    /// The referentiel with `edit` applied to its lines.
    private func edited(_ edit: (inout [String]) throws -> Void) throws -> String {
        var lines = try Referentiel.lines()
        try edit(&lines)
        return lines.joined(separator: "\n")
    }

    /// Index of the first line equal to `text` after the line equal to `start`.
    private func index(of text: String, after start: String, in lines: [String]) throws -> Int {
        let from = try #require(lines.firstIndex(of: start), "no line \(start)")
        return try #require(lines[from...].firstIndex(of: text), "no line \(text) after \(start)")
    }

    @Test func emptyText() throws {
        let error = try #require(failure(""))
        #expect(error.line == 1)
        #expect(error.expected.contains("Sommaire"))
        #expect(error.found == "end of text")
        #expect(error.description == "referentiel line 1: expected a \"Sommaire\" line, found end of text")
    }

    @Test(arguments: [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.9999])
    func truncatedText(at fraction: Double) throws {
        let lines = try Referentiel.lines()
        let kept = Int(Double(lines.count) * fraction)
        let error = try #require(failure(lines.prefix(kept).joined(separator: "\n")), "imported with \(kept) lines")
        #expect(error.line > 0 && error.line <= kept)
        #expect(!error.expected.isEmpty)
        #expect(error.found == "end of text")
    }

    @Test func missingSectionHeading() throws {
        let text = try edited { lines in
            lines.remove(at: try index(of: "Connaissances", after: "Emploi Type : Urbaniste", in: lines))
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let error = try #require(failure(text))
        #expect(error.expected == "\"Connaissances\" after the savoir-faire of card 'urbaniste'")
        #expect(error.found == "\"Qualités requises\"")
        #expect(lines[error.line - 1] == "Qualités requises")
        #expect(error.description.hasPrefix("referentiel line \(error.line): expected \"Connaissances\""))
    }

    @Test func missingROMECodes() throws {
        let text = try edited { lines in
            let rome = try index(of: "Code(s) ROME", after: "Emploi Type : Urbaniste", in: lines)
            lines.removeSubrange(rome...(rome + 2))  // heading, blank line, "- ◆ M1806"
        }
        let error = try #require(failure(text))
        #expect(error.description.hasSuffix(
            "expected \"Code(s) ROME\" after the passerelles of card 'urbaniste', found \"Emploi Type : Architecte système d'information\""))
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false)[error.line - 1]
            == "Emploi Type : Architecte système d'information")
    }

    @Test func missingCard() throws {
        let text = try edited { lines in
            let start = try #require(lines.firstIndex(of: "Emploi Type : Urbaniste"))
            let next = try #require(lines.firstIndex(of: "Emploi Type : Architecte système d'information"))
            lines.removeSubrange(start..<next)
        }
        let error = try #require(failure(text))
        #expect(error.expected.contains("at the start of card 'urbaniste'"))
        #expect(error.found == "\"Emploi Type : Architecte système d'information\"")
    }

    @Test func unknownPasserelle() throws {
        var line = 0
        let text = try edited { lines in
            let origines = try index(of: "Origines possibles", after: "Emploi Type : Urbaniste", in: lines)
            let consultant = try #require(lines[origines...].firstIndex(of: "Consultant métier"))
            lines[consultant] = "Astronaute"
            line = consultant + 1
        }
        let error = try #require(failure(text))
        #expect(error.line == line)
        #expect(error.expected.contains("origines possibles of card 'urbaniste'"))
        #expect(error.found == "\"Astronaute\"")
    }

    @Test func unknownEmploiTypeInTheTable() throws {
        var line = 0
        let text = try edited { lines in
            let row = try #require(lines.firstIndex(of: "Urbaniste\tUrbaniste\tMétier\tConseil\t13"))
            lines[row] = "Urbaniste\tAstronaute\tMétier\tConseil\t13"
            line = row + 1
        }
        let error = try #require(failure(text))
        #expect(error.line == line)
        #expect(error.expected.contains("Emploi-type column of the correspondence table"))
        #expect(error.found == "\"Astronaute\"")
    }

    @Test func malformedTableRow() throws {
        let text = try edited { lines in
            let row = try #require(lines.firstIndex(of: "Urbaniste\tUrbaniste\tMétier\tConseil\t13"))
            lines[row] = "Urbaniste\tUrbaniste\tConseil\t13"
        }
        let error = try #require(failure(text))
        #expect(error.expected.contains("5 tab-separated columns"))
    }

    @Test func malformedROMECode() throws {
        var line = 0
        let text = try edited { lines in
            let rome = try index(of: "Code(s) ROME", after: "Emploi Type : Urbaniste", in: lines)
            lines[rome + 2] = "- ◆ M18O6"
            line = rome + 3
        }
        let error = try #require(failure(text))
        #expect(error.line == line)
        #expect(error.expected.contains("a ROME code like \"M1805\""))
        #expect(error.found == "\"M18O6\"")
    }

    @Test func wrongCardCount() throws {
        let text = try edited { lines in
            lines.removeAll { $0.hasPrefix("• Urbaniste") }
        }
        let error = try #require(failure(text))
        #expect(error.expected.hasPrefix("36 emploi-types in the Sommaire"))
        #expect(error.found == "35")
        #expect(error.line > 0)
    }

    @Test func missingSommaire() throws {
        let text = try edited { lines in
            lines.removeAll { $0 == "Sommaire" }
        }
        let error = try #require(failure(text))
        #expect(error.expected == "a \"Sommaire\" line")
    }

    @Test func missingLiaison() throws {
        let text = try edited { lines in
            let liaisons = try index(of: "1. Liaisons - relations", after: "Emploi Type : Urbaniste", in: lines)
            lines.remove(at: liaisons + 2)  // "- ◆ Externes : clients"
        }
        let error = try #require(failure(text))
        #expect(error.expected == "\"Externes : …\" in the liaisons - relations of card 'urbaniste'")
    }

    @Test func cardAfterTheLastCard() throws {
        let text = try Referentiel.text() + "\n\nEmploi Type : Astronaute\n\nActivités principales\n\n- ◆ Voler"
        let error = try #require(failure(text))
        #expect(error.expected == "end of text after the last card 'support-clients'")
        #expect(error.found == "\"Emploi Type : Astronaute\"")
        #expect(error.line == text.split(separator: "\n", omittingEmptySubsequences: false).count - 4)
    }

    @Test func textAfterTheLastROMECode() throws {
        let text = try Referentiel.text() + "\n\nAnnexe"
        let error = try #require(failure(text))
        #expect(error.expected.hasPrefix("a ROME code like \"M1805\""))
        #expect(error.found == "\"Annexe\"")
    }

    @Test func veryLongLinesAreQuotedShort() throws {
        let text = try edited { lines in
            let row = try #require(lines.firstIndex(of: "Urbaniste\tUrbaniste\tMétier\tConseil\t13"))
            lines[row] = "Urbaniste\t" + String(repeating: "x", count: 100_000) + "\tMétier\tConseil\t13"
        }
        let error = try #require(failure(text))
        #expect(error.found.count < 130)
    }

    /// Random damage (lines dropped, duplicated, swapped, cut, emptied or garbled): every
    /// outcome is a list of cards or an ImportError with a line inside the text.
    @Test func randomDamageNeverCrashes() throws {
        let original = try Referentiel.lines()
        var random = SplitMix64(seed: 0x6D65_7469_6572_73)
        for _ in 0..<60 {
            var lines = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<lines.count, using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0: lines.remove(at: at)
                case 1: lines.insert(lines[at], at: at)
                case 2: lines.swapAt(at, Int.random(in: 0..<lines.count, using: &random))
                case 3: lines[at] = String(lines[at].prefix(Int.random(in: 0...max(0, lines[at].count), using: &random)))
                case 4: lines[at] = ""
                default: lines[at] = String((0..<Int.random(in: 1...40, using: &random)).map { _ in
                    "-◆*:\t( )•Éé0a9Z".randomElement(using: &random) ?? "x"
                })
                }
            }
            do {
                let cards = try ReferentielImporter.cards(fromText: lines.joined(separator: "\n"))
                #expect(cards.count == ReferentielImporter.cardCount)
            } catch {
                #expect(error.line >= 0 && error.line <= lines.count, "\(error)")
                #expect(!error.expected.isEmpty && !error.found.isEmpty)
            }
        }
    }
}

/// A small seeded generator, so that the random damage is the same on every run.
struct SplitMix64: RandomNumberGenerator {
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
