#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersModel
import SwiftCSV

/// Why the ROME data could not be read. Each case names the file and, where it applies, the
/// line, so the file can be fixed.
public enum RomeImportError: Error, CustomStringConvertible, Equatable {
    /// The file is missing or unreadable.
    case unreadable(path: String)
    /// The file is not UTF-8.
    case notUTF8(path: String)
    /// The header lacks a column the importer needs.
    case missingColumn(path: String, column: String)
    /// A line is not well-formed CSV (unterminated quote, wrong number of fields).
    case malformedLine(path: String, line: Int, reason: String)
    /// A field that must hold a ROME code (a letter A–N and four digits) or an id does not.
    case badValue(path: String, line: Int, column: String, value: String)
    /// A parent code that no métier of the code file defines.
    case unknownParent(path: String, line: Int, code: String)
    /// An appellation's code that no métier of the code file defines.
    case unknownCode(path: String, line: Int, code: String)
    /// The same id twice.
    case duplicate(path: String, line: Int, value: String)
    /// The file has a header and no rows.
    case empty(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path): "\(path): cannot read the file"
        case .notUTF8(let path): "\(path): not UTF-8 text"
        case .missingColumn(let path, let column): "\(path): the header has no column '\(column)'"
        case .malformedLine(let path, let line, let reason): "\(path):\(line): \(reason)"
        case .badValue(let path, let line, let column, let value): "\(path):\(line): '\(value)' is not a valid \(column)"
        case .unknownParent(let path, let line, let code): "\(path):\(line): parent code \(code) is not a métier of the code file"
        case .unknownCode(let path, let line, let code): "\(path):\(line): code \(code) is not a métier of the code file"
        case .duplicate(let path, let line, let value): "\(path):\(line): '\(value)' appears twice"
        case .empty(let path): "\(path): no rows"
        }
    }
}

/// The ROME data that metiers ships (France Travail open data, `Index/rome/`): its métiers and
/// their appellations, validated.
public struct RomeCatalog: Sendable, Equatable {
    public static let appellationFile = "unix_referentiel_appellation_v460_utf8.csv"
    public static let metierFile = "unix_referentiel_code_rome_v460_utf8.csv"

    public var metiers: [RomeMetier]
    public var appellations: [RomeAppellation]

    public init(metiers: [RomeMetier], appellations: [RomeAppellation]) {
        self.metiers = metiers
        self.appellations = appellations
    }

    /// Reads and validates the two files of `directory`.
    public static func load(directory: String) throws(RomeImportError) -> RomeCatalog {
        let metierPath = directory + "/" + metierFile
        let appellationPath = directory + "/" + appellationFile
        return try parse(metiers: try read(metierPath), metierPath: metierPath,
                         appellations: try read(appellationPath), appellationPath: appellationPath)
    }

    private static func read(_ path: String) throws(RomeImportError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        guard let text = String(validating: data, as: UTF8.self) else { throw .notUTF8(path: path) }
        return text
    }

    /// Parses and validates the two files' contents (paths name them in errors).
    public static func parse(metiers metierText: String, metierPath: String = metierFile,
                             appellations appellationText: String, appellationPath: String = appellationFile) throws(RomeImportError) -> RomeCatalog {
        let metierTable = try CSVTable(text: metierText, path: metierPath, required: ["code_rome", "libelle_rome", "code_rome_parent"])
        var metiers: [RomeMetier] = []
        var codes = Set<String>()
        for row in metierTable.rows {
            let code = try row.code("code_rome")
            let parent = try row.code("code_rome_parent")
            let label = try row.text("libelle_rome")
            guard codes.insert(code).inserted else { throw .duplicate(path: metierPath, line: row.line, value: code) }
            metiers.append(RomeMetier(code: code, label: label, parent: parent))
        }
        for (metier, row) in zip(metiers, metierTable.rows) where !codes.contains(metier.parent) {
            throw .unknownParent(path: metierPath, line: row.line, code: metier.parent)
        }

        let appellationTable = try CSVTable(
            text: appellationText, path: appellationPath,
            required: ["code_ogr", "libelle_appellation_long", "code_rome", "code_rome_parent", "classification", "peu_usite"])
        var appellations: [RomeAppellation] = []
        var ids = Set<String>()
        for row in appellationTable.rows {
            let id = try row.text("code_ogr")
            guard id.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw .badValue(path: appellationPath, line: row.line, column: "code_ogr", value: id)
            }
            guard ids.insert(id).inserted else { throw .duplicate(path: appellationPath, line: row.line, value: id) }
            let code = try row.code("code_rome")
            let parent = try row.code("code_rome_parent")
            // An appellation's parent is its own older-generation code: it may differ from the
            // parent of its fine métier (404 rows of v460 do), but it must be a known code.
            guard codes.contains(code) else { throw .unknownCode(path: appellationPath, line: row.line, code: code) }
            guard codes.contains(parent) else { throw .unknownParent(path: appellationPath, line: row.line, code: parent) }
            appellations.append(RomeAppellation(
                codeOgr: id, label: try row.text("libelle_appellation_long"), codeRome: code, codeRomeParent: parent,
                principal: row["classification"] == "PRINCIPALE", rarelyUsed: row["peu_usite"] == "O"))
        }
        return RomeCatalog(metiers: metiers, appellations: appellations)
    }
}

/// A comma-separated file with a header line and one record a line, fields optionally
/// double-quoted ("" for a quote). The text is split into lines here, so that errors name
/// their line; SwiftCSV reads each line's fields (dropping a byte-order mark, and white space
/// before a field or after its closing quote).
struct CSVTable {
    struct Row {
        let line: Int
        let path: String
        let fields: [String]
        let columns: [String: Int]

        subscript(_ column: String) -> String { fields[columns[column]!] }

        func text(_ column: String) throws(RomeImportError) -> String {
            var value = self[column]
            if value.first == " " || value.last == " " {
                value = String(value.drop { $0 == " " })
                while value.last == " " { value.removeLast() }
            }
            guard !value.isEmpty else { throw .badValue(path: path, line: line, column: column, value: value) }
            return value
        }

        func code(_ column: String) throws(RomeImportError) -> String {
            let value = self[column]
            guard RomeMetier.isValidCode(value) else { throw .badValue(path: path, line: line, column: column, value: value) }
            return value
        }
    }

    var rows: [Row] = []

    init(text: String, path: String, required: [String]) throws(RomeImportError) {
        // Split on the bytes: "\r\n" is one Character, which a split on "\n" would miss.
        var lines: [Substring] = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { bytes in
            let line = Substring(bytes)
            return line.utf8.last == UInt8(ascii: "\r") ? Substring(line.utf8.dropLast()) : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first else { throw .empty(path: path) }
        let header = try Self.fields(of: headerLine, path: path, line: 1)
        var columns: [String: Int] = [:]
        for (i, name) in header.enumerated() { columns[name] = i }
        for column in required where columns[column] == nil { throw .missingColumn(path: path, column: column) }
        for (i, line) in lines.enumerated().dropFirst() {
            let fields = try Self.fields(of: line, path: path, line: i + 1)
            guard fields.count == header.count else {
                throw .malformedLine(path: path, line: i + 1, reason: "\(fields.count) fields where the header has \(header.count)")
            }
            rows.append(Row(line: i + 1, path: path, fields: fields, columns: columns))
        }
        guard !rows.isEmpty else { throw .empty(path: path) }
    }

    /// The fields of one line, read by SwiftCSV.
    static func fields(of line: Substring, path: String, line number: Int) throws(RomeImportError) -> [String] {
        let csv: EnumeratedCSV
        do {
            // The "\n" ends the record: at the end of its text SwiftCSV would drop an empty last
            // field, and a quote left open takes the "\n" into its field. With a row limit of 1
            // past the header, a second record (a line break of another kind outside quotes)
            // shows in `rows`.
            csv = try EnumeratedCSV(string: String(line) + "\n", delimiter: .comma, loadColumns: false, rowLimit: 1)
        } catch {
            throw .malformedLine(path: path, line: number, reason: "a quote inside an unquoted field, or text after a closing quote")
        }
        if csv.header.last?.hasSuffix("\n") == true { throw .malformedLine(path: path, line: number, reason: "unterminated quote") }
        guard csv.rows.isEmpty else { throw .malformedLine(path: path, line: number, reason: "a line break inside an unquoted field") }
        return csv.header
    }
}
