import CXapian

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error reported by Xapian through the C boundary.
public struct XapianError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, as a stable kind.
    public enum Kind: Sendable, Equatable {
        /// The database is missing, not a database, or unreadable.
        case databaseOpening
        /// The database moved on under a reader: reopen and retry once.
        case databaseModified
        /// The database is corrupt.
        case databaseCorrupt
        /// Another writer holds the lock.
        case databaseLocked
        /// Any other database error.
        case database
        /// A bad argument (empty term, out-of-range index...).
        case invalidArgument
        /// A document or term that does not exist.
        case notFound
        /// A query Xapian rejects.
        case query
        /// Memory could not be allocated.
        case outOfMemory
        /// Any other Xapian error.
        case xapian
        /// A C++ exception that is not Xapian's.
        case `internal`
    }

    public let kind: Kind
    /// Xapian's message, as Xapian wrote it.
    public let message: String

    public var description: String { message.isEmpty ? "\(kind)" : message }

    init(status: mx_status, message: UnsafeMutablePointer<CChar>?) {
        switch status {
        case MX_DATABASE_OPENING_ERROR: kind = .databaseOpening
        case MX_DATABASE_MODIFIED: kind = .databaseModified
        case MX_DATABASE_CORRUPT: kind = .databaseCorrupt
        case MX_DATABASE_LOCKED: kind = .databaseLocked
        case MX_DATABASE_ERROR: kind = .database
        case MX_INVALID_ARGUMENT: kind = .invalidArgument
        case MX_NOT_FOUND: kind = .notFound
        case MX_QUERY_ERROR: kind = .query
        case MX_OUT_OF_MEMORY: kind = .outOfMemory
        case MX_XAPIAN_ERROR: kind = .xapian
        default: kind = .internal
        }
        if let message {
            self.message = String(cString: message)
            free(message)  // The C API hands the caller ownership of the message.
        } else {
            self.message = String(cString: mx_status_to_string(status))
        }
    }
}

/// Runs one C call that follows the `(…, char **error_message) -> mx_status` convention and
/// turns a failure into a thrown `XapianError`.
@inline(__always)
func check(_ call: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> mx_status) throws(XapianError) {
    var message: UnsafeMutablePointer<CChar>? = nil
    let status = call(&message)
    if status != MX_OK {
        throw XapianError(status: status, message: message)
    }
}

/// Takes ownership of a malloc()ed C string returned by the C API.
func takeString(_ pointer: UnsafeMutablePointer<CChar>?, length: Int) -> String {
    guard let pointer else { return "" }
    defer { free(pointer) }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
}

/// Runs one C call that hands back a list of strings (`…, char **list, size_t *length,
/// size_t *count, char **error_message`) and takes ownership of the list.
func checkedStringList(
    _ call: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>,
        UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> mx_status
) throws(XapianError) -> [String] {
    var list: UnsafeMutablePointer<CChar>? = nil
    var length = 0
    var count = 0
    try check { call(&list, &length, &count, $0) }
    return takeStringList(list, length: length, count: count)
}

/// Takes ownership of a malloc()ed buffer of `count` NUL-separated strings.
func takeStringList(_ pointer: UnsafeMutablePointer<CChar>?, length: Int, count: Int) -> [String] {
    guard let pointer, count > 0 else { return [] }
    defer { free(pointer) }
    var result: [String] = []
    result.reserveCapacity(count)
    let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
    var start = 0
    for i in 0..<length where bytes[i] == 0 {
        result.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
        start = i + 1
    }
    return result
}

public enum Xapian {
    /// The linked Xapian library's version ("1.4.22").
    public static var version: String { String(cString: mx_xapian_version()) }
}

/// `check` for a C call that takes a string as a (bytes, length) pair.
@inline(__always)
func checkBytes(
    _ string: String,
    _ call: (UnsafePointer<CChar>?, Int, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> mx_status
) throws(XapianError) {
    var string = string
    var message: UnsafeMutablePointer<CChar>? = nil
    let status = string.withUTF8 { buffer in
        buffer.withMemoryRebound(to: CChar.self) { call($0.baseAddress, $0.count, &message) }
    }
    if status != MX_OK {
        throw XapianError(status: status, message: message)
    }
}
