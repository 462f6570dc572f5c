// libFuzzer target: RomeCatalog.parse on arbitrary text, as the appellation file beside a small
// valid métier file (seeded with the head of the shipped appellation file and broken variants).
//
// Properties checked on every input:
// - the importer never traps: it returns a catalogue or throws a RomeImportError;
// - a RomeImportError that names a line names one within the text;
// - a parsed catalogue has distinct numeric ids and well-formed codes, each a known métier.
import FuzzSupport
import Foundation
import MetiersImport
import MetiersModel

let metiers = """
    "code_rome","code_fiche_metier","code_ogr","libelle_rome","transition_eco","transition_num","transition_demo","emploi_reglemente","emploi_cadre","code_rome_parent"
    "A1101","1","1","Conducteur / Conductrice d'engins agricoles","","","","","","A1101"
    "D1102","2","2","Boulanger / Boulangère","","","","","","D1102"
    "M1805","3","3","Études et développement informatique","","","","","","M1805"
    "M1855","4","4","Développeur / Développeuse web","","","","","","M1805"

    """
let known: Set = ["A1101", "D1102", "M1805", "M1855"]

/// The entry point SwiftPM links as `main`: libFuzzer's driver, on `fuzz`.
@_cdecl("fuzz_rome_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let catalog = try RomeCatalog.parse(metiers: metiers, appellations: text)
        require(Set(catalog.appellations.map(\.codeOgr)).count == catalog.appellations.count, "duplicate ids accepted")
        for a in catalog.appellations {
            require(!a.codeOgr.isEmpty && a.codeOgr.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }, "id '\(a.codeOgr)' accepted")
            require(known.contains(a.codeRome) && known.contains(a.codeRomeParent), "unknown code accepted: \(a.codeRome) < \(a.codeRomeParent)")
            require(!a.label.isEmpty, "empty label accepted")
        }
    } catch {
        let lines = text.utf8.reduce(into: 1) { count, byte in if byte == 10 { count += 1 } }
        switch error {
        case .malformedLine(_, let line, _), .badValue(_, let line, _, _), .unknownParent(_, let line, _),
             .unknownCode(_, let line, _), .duplicate(_, let line, _):
            require(line >= 1 && line <= lines, "error at line \(line) of a \(lines)-line text")
        case .unreadable, .notUTF8, .missingColumn, .empty:
            break
        }
        require(!error.description.isEmpty, "an error without a message")
    }
    return 0
}
