#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The web page's files, served from one directory: only regular files inside it, by a path of
/// plain segments (no `..`, no hidden file, no symbolic link leading out).
struct StaticFiles: Sendable {
    /// The directory, resolved (no symbolic link, no `..`).
    let root: String
    /// Largest file served, in bytes.
    static let maximumSize = 16 << 20

    /// nil when `directory` is not a readable directory.
    init?(directory: String) {
        guard let resolved = Self.realPath(directory) else { return nil }
        var info = stat()
        guard stat(resolved, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
        root = resolved
    }

    /// Whether `segments` may name a file under the root: plain names only.
    static func safe(_ segments: [String]) -> Bool {
        !segments.isEmpty && segments.allSatisfy { s in
            !s.isEmpty && !s.hasPrefix(".") && !s.contains("/") && !s.contains("\\") && !s.utf8.contains(0)
        }
    }

    /// A file's bytes and its media type; nil when it is not a regular file inside the root
    /// (or too large, or unreadable).
    func read(_ relative: String) -> (bytes: [UInt8], contentType: String)? {
        guard Self.safe(relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)),
            let resolved = Self.realPath(root + "/" + relative), resolved.hasPrefix(root + "/")
        else { return nil }
        let fd = open(resolved, O_RDONLY | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= Self.maximumSize else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        return (Array(bytes[..<done]), Self.contentType(of: resolved))
    }

    static func contentType(of path: String) -> String {
        let ext = path.split(separator: "/").last.flatMap { name in name.contains(".") ? name.split(separator: ".").last : nil }.map { $0.lowercased() } ?? ""
        switch ext {
        case "html", "htm": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "json", "map": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "ico": return "image/x-icon"
        case "woff2": return "font/woff2"
        case "woff": return "font/woff"
        case "txt": return "text/plain; charset=utf-8"
        case "webmanifest": return "application/manifest+json"
        default: return "application/octet-stream"
        }
    }

    /// How long a browser may keep a file: the page itself is checked each time, so a new
    /// version shows at once; the rest for five minutes.
    static func cacheControl(of contentType: String) -> String {
        contentType.hasPrefix("text/html") ? "no-cache" : "public, max-age=300"
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif
