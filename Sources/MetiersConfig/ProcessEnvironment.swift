#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process environment as a dictionary, without Foundation.
public enum ProcessEnvironment {
    public static var all: [String: String] {
        var result: [String: String] = [:]
        guard var pointer = Optional(environ) else { return result }
        while let entry = pointer.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { result[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            pointer += 1
        }
        return result
    }
}

/// Standard error, written with one write(2) a message (no shared C `FILE*`).
public enum StandardError {
    public static func write(_ message: String) {
        var message = message
        message.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                let n = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                #elseif canImport(Darwin)
                let n = Darwin.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
                if n <= 0 { return }
                offset += n
            }
        }
    }

    /// Writes `message` and a newline.
    public static func line(_ message: String) { write(message + "\n") }
}
