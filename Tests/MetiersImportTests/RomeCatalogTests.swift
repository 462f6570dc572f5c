import Foundation
import MetiersImport
import Testing

/// The ROME data the project ships, and the importer's refusal of malformed files.
@Suite struct RomeCatalogTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/Index/rome"

    static let header = #""code_ogr","libelle_appellation_long","libelle_appellation_court","code_rome","transition_eco","transition_num","transition_demo","emploi_reglemente","emploi_cadre","classification","origine","code_rome_parent","peu_usite""#
    static let metiers = """
        "code_rome","code_fiche_metier","code_ogr","libelle_rome","transition_eco","transition_num","transition_demo","emploi_reglemente","emploi_cadre","code_rome_parent"
        "D1102","1","1","Boulanger / Boulangère","","","","","","D1102"
        "M1805","2","2","Études et développement informatique","","","","","","M1805"
        "M1855","3","3","Développeur / Développeuse web","","","","","","M1805"

        """

    func appellations(_ rows: String...) -> String {
        ([Self.header] + rows).joined(separator: "\n") + "\n"
    }

    func failure(_ text: String, metiers: String = metiers) -> RomeImportError? {
        do {
            _ = try RomeCatalog.parse(metiers: metiers, appellations: text)
            return nil
        } catch {
            return error
        }
    }

    @Test func theShippedDataLoads() throws {
        let catalog = try RomeCatalog.load(directory: Self.directory)
        #expect(catalog.appellations.count == 13_120)
        #expect(catalog.metiers.count == 1_584)
        let web = try #require(catalog.metiers.first { $0.code == "M1855" })
        #expect(web.parent == "M1805")
        let baker = try #require(catalog.appellations.first { $0.codeOgr == "11573" })
        #expect(baker.label == "Boulanger / Boulangère")
        #expect(baker.codeRome == "D1102")
        #expect(catalog.appellations.filter(\.principal).count == 1_584)
        let cardCodes: Set = ["M1801", "M1802", "M1803", "M1805", "M1806", "M1810", "D1407", "H1101", "H1102", "M1703"]
        #expect(catalog.appellations.filter { cardCodes.contains($0.codeRomeParent) }.count == 498)
    }

    @Test func aWellFormedFileParses() throws {
        let catalog = try RomeCatalog.parse(metiers: Self.metiers, appellations: appellations(
            #""14156","Développeur / Développeuse web","x","M1855","","","","","","PRINCIPALE","","M1805","N""#,
            #""11573","Boulanger / Boulangère","x","D1102","","","","","","SYNONYME","","D1102","O""#))
        #expect(catalog.appellations.count == 2)
        #expect(catalog.appellations[0].principal)
        #expect(catalog.appellations[1].rarelyUsed)
    }

    @Test func aQuotedFieldMayHoldCommasAndQuotes() throws {
        let catalog = try RomeCatalog.parse(metiers: Self.metiers, appellations: appellations(
            #""1","Boulanger, dit ""mitron""","x","D1102","","","","","","SYNONYME","","D1102","N""#))
        #expect(catalog.appellations[0].label == #"Boulanger, dit "mitron""#)
    }

    @Test func anEmptyLastFieldIsAField() throws {
        let catalog = try RomeCatalog.parse(metiers: Self.metiers, appellations: appellations(
            #""1","Boulanger","x","D1102","","","","","","SYNONYME","","D1102","""#,
            #""2","Mitron","x","D1102","","","","","","SYNONYME","","D1102","#))
        #expect(catalog.appellations.map(\.rarelyUsed) == [false, false])
    }

    @Test func aMissingColumnIsNamed() {
        let text = "\"code_ogr\",\"libelle_appellation_long\"\n\"1\",\"x\"\n"
        #expect(failure(text) == .missingColumn(path: RomeCatalog.appellationFile, column: "code_rome"))
    }

    @Test func aBadCodeNamesTheLine() {
        let text = appellations(
            #""1","Boulanger","x","D1102","","","","","","SYNONYME","","D1102","N""#,
            #""2","Boulanger","x","D11O2","","","","","","SYNONYME","","D1102","N""#)
        #expect(failure(text) == .badValue(path: RomeCatalog.appellationFile, line: 3, column: "code_rome", value: "D11O2"))
    }

    @Test func anUnknownParentIsRefused() {
        let text = appellations(#""1","Boulanger","x","D1102","","","","","","SYNONYME","","Z9999","N""#)
        #expect(failure(text) == .badValue(path: RomeCatalog.appellationFile, line: 2, column: "code_rome_parent", value: "Z9999"))
        let unknown = appellations(#""1","Boulanger","x","D1102","","","","","","SYNONYME","","A1101","N""#)
        #expect(failure(unknown) == .unknownParent(path: RomeCatalog.appellationFile, line: 2, code: "A1101"))
    }

    @Test func aMetierWhoseParentIsUnknownIsRefused() {
        let metiers = Self.metiers + "\"M1999\",\"4\",\"4\",\"Orphelin\",\"\",\"\",\"\",\"\",\"\",\"M1998\"\n"
        #expect(failure(appellations(#""1","B","x","D1102","","","","","","SYNONYME","","D1102","N""#), metiers: metiers)
            == .unknownParent(path: RomeCatalog.metierFile, line: 5, code: "M1998"))
    }

    @Test func malformedLinesAreRefused() {
        #expect(failure(appellations(#""1","Boulanger,"x","D1102","","","","","","SYNONYME","","D1102","N""#)) != nil)
        #expect(failure(appellations(#""1","Boulanger","D1102""#))
            == .malformedLine(path: RomeCatalog.appellationFile, line: 2, reason: "3 fields where the header has 13"))
        #expect(failure(appellations(#""1","Boulanger","x","D1102","","","","","","SYNONYME","","D1102","N"#))
            == .malformedLine(path: RomeCatalog.appellationFile, line: 2, reason: "unterminated quote"))
        #expect(failure(appellations(#""1x","Boulanger","x","D1102","","","","","","SYNONYME","","D1102","N""#))
            == .badValue(path: RomeCatalog.appellationFile, line: 2, column: "code_ogr", value: "1x"))
        #expect(failure(Self.header + "\n") == .empty(path: RomeCatalog.appellationFile))
    }

    @Test func aDuplicateIdIsRefused() {
        let row = #""1","Boulanger","x","D1102","","","","","","SYNONYME","","D1102","N""#
        #expect(failure(appellations(row, row)) == .duplicate(path: RomeCatalog.appellationFile, line: 3, value: "1"))
    }

    @Test func aMissingDirectoryIsNamed() {
        #expect(throws: RomeImportError.unreadable(path: "/nonexistent/" + RomeCatalog.metierFile)) {
            try RomeCatalog.load(directory: "/nonexistent")
        }
    }
}
