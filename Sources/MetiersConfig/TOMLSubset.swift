/// A reader for the subset of TOML that metiers' configuration uses: `[table]` headers,
/// `key = value` pairs with strings ("…" with \" \\ \n \t escapes, or '…'), integers, floats,
/// booleans, and `#` comments. Anything else is an error that names the line.
public enum TOMLSubset {
    public enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Parses `text` into `"table.key" → value` (keys before any table have no dot).
    public static func parse(_ text: String) throws(ParseError) -> [String: Value] {
        var result: [String: Value] = [:]
        var table = ""
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = stripComment(Substring(raw)).trimmed
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[[") else {
                    throw ParseError(line: number, message: "expected a table header like [daemon], found \"\(line)\"")
                }
                table = String(line.dropFirst().dropLast()).trimmed
                guard !table.isEmpty, table.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
                    throw ParseError(line: number, message: "bad table name \"\(table)\"")
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else {
                throw ParseError(line: number, message: "expected 'key = value', found \"\(line)\"")
            }
            let key = String(line[..<eq]).trimmed
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw ParseError(line: number, message: "bad key \"\(key)\"")
            }
            let full = table.isEmpty ? key : table + "." + key
            guard result[full] == nil else { throw ParseError(line: number, message: "key '\(full)' is set twice") }
            result[full] = try value(String(line[line.index(after: eq)...]).trimmed, line: number)
        }
        return result
    }

    /// Removes a `#` comment that is not inside a string.
    static func stripComment(_ line: Substring) -> Substring {
        var quote: Character? = nil
        var escaped = false
        for i in line.indices {
            let c = line[i]
            if escaped { escaped = false; continue }
            if quote == "\"" && c == "\\" { escaped = true; continue }
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                return line[..<i]
            }
        }
        return line
    }

    static func value(_ text: String, line: Int) throws(ParseError) -> Value {
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\"") else { throw ParseError(line: line, message: "unterminated string") }
            var out = ""
            var escaped = false
            for c in text.dropFirst().dropLast() {
                if escaped {
                    switch c {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "\\": out.append("\\")
                    case "\"": out.append("\"")
                    default: throw ParseError(line: line, message: "unknown escape \\\(c)")
                    }
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    throw ParseError(line: line, message: "unexpected '\"' inside a string")
                } else {
                    out.append(c)
                }
            }
            if escaped { throw ParseError(line: line, message: "unterminated escape") }
            return .string(out)
        }
        if text.hasPrefix("'") {
            guard text.count >= 2, text.hasSuffix("'") else { throw ParseError(line: line, message: "unterminated string") }
            return .string(String(text.dropFirst().dropLast()))
        }
        let digits = text.replacingUnderscores
        if let i = Int(digits) { return .integer(i) }
        if let d = Double(digits), d.isFinite { return .float(d) }
        throw ParseError(line: line, message: "cannot read value \"\(text)\" (strings need quotes)")
    }
}

extension StringProtocol {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }

    var replacingUnderscores: String { String(filter { $0 != "_" }) }
}
