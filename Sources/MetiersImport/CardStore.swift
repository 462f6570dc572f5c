#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersModel
import MetiersText

/// The cards on disk: one `<id>.json` file per card in one directory (`Index/cards/`).
///
/// Files are pretty-printed JSON with sorted keys and a final newline, so that re-importing an
/// unchanged referentiel gives byte-identical files.
public enum CardStore {
    /// The JSON text of one card file.
    public static func encode(_ card: Card) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(card), as: UTF8.self) + "\n"
    }

    /// Replaces the card set in `directory` with `cards`, all or nothing.
    ///
    /// The files are written into a temporary sibling directory which then takes the place of
    /// `directory` by renaming, so that a failure leaves the previous set as it was and a success
    /// leaves no stale file behind. `directory` is created if missing; if it exists it must hold
    /// nothing but `.json` files (and Finder's `.DS_Store`): a guard against replacing the wrong
    /// directory.
    /// - Throws: ``CardStoreError`` naming the file or directory at fault.
    public static func write(_ cards: [Card], to directory: String) throws {
        let fileManager = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()

        var files: [(name: String, data: Data)] = []
        var ids: Set<String> = []
        for card in cards {
            guard !card.id.isEmpty, Folding.slug(card.id) == card.id else {
                throw CardStoreError(path: target.path, problem: "card id '\(card.id)' is not a valid id (lowercase a-z, 0-9 and single '-')")
            }
            guard ids.insert(card.id).inserted else {
                throw CardStoreError(path: target.path, problem: "two cards have the id '\(card.id)'")
            }
            files.append(("\(card.id).json", Data(try encode(card).utf8)))
        }
        try checkReplaceable(target)

        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).writing-\(UUID().uuidString)")
        do {
            try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
            try fileManager.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw CardStoreError(path: staging.path, problem: "cannot create the directory: \(error)")
        }
        do {
            for file in files {
                let url = staging.appendingPathComponent(file.name)
                do {
                    try file.data.write(to: url)
                } catch {
                    throw CardStoreError(path: url.path, problem: "cannot write: \(error)")
                }
            }
            try swap(staging, into: target)
        } catch {
            // The write's own failure is the one reported; a staging directory that cannot be
            // removed either is hidden (a dot name) and names its write in its UUID.
            try? fileManager.removeItem(at: staging)
            throw error
        }
    }

    /// Reads every `*.json` card of `directory`, sorted by page then id.
    /// - Throws: ``CardStoreError`` naming the directory or file at fault and what is wrong
    ///   (unreadable, not a card, id different from the file name).
    public static func load(from directory: String) throws -> [Card] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw CardStoreError(path: directory, problem: "cannot list the directory: \(error)")
        }
        let decoder = JSONDecoder()
        var cards: [Card] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw CardStoreError(path: path, problem: "cannot read: \(error)")
            }
            let card: Card
            do {
                card = try decoder.decode(Card.self, from: data)
            } catch let error as DecodingError {
                throw CardStoreError(path: path, problem: "not a card: \(explain(error))")
            } catch {
                throw CardStoreError(path: path, problem: "not a card: \(error)")
            }
            guard name == "\(card.id).json" else {
                throw CardStoreError(path: path, problem: "holds card '\(card.id)', expected a file named \(card.id).json")
            }
            cards.append(card)
        }
        return cards.sorted { ($0.page, $0.id) < ($1.page, $1.id) }
    }

    /// Refuses to replace anything but a directory of `.json` files (and `.DS_Store`).
    private static func checkReplaceable(_ target: URL) throws {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: target.path) else { return }
        let names: [String]
        do {
            names = try fileManager.contentsOfDirectory(atPath: target.path)
        } catch {
            throw CardStoreError(path: target.path, problem: "exists and is not a readable directory: \(error)")
        }
        if let stranger = names.sorted().first(where: { !$0.hasSuffix(".json") && $0 != ".DS_Store" }) {
            throw CardStoreError(
                path: target.path,
                problem: "holds '\(stranger)', which is not a card file; refusing to replace the directory")
        }
    }

    /// Puts `staging` in the place of `target` by renaming, restoring the previous `target` if the
    /// second rename fails.
    private static func swap(_ staging: URL, into target: URL) throws {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: target.path) else {
            do {
                try fileManager.moveItem(at: staging, to: target)
            } catch {
                throw CardStoreError(path: target.path, problem: "cannot move the new cards into place: \(error)")
            }
            return
        }
        let retired = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).previous-\(UUID().uuidString)")
        do {
            try fileManager.moveItem(at: target, to: retired)
        } catch {
            throw CardStoreError(path: target.path, problem: "cannot move the previous cards aside: \(error)")
        }
        do {
            try fileManager.moveItem(at: staging, to: target)
        } catch {
            // Put the previous cards back; when even that fails, say where they are.
            do {
                try fileManager.moveItem(at: retired, to: target)
            } catch let restoring {
                throw CardStoreError(
                    path: target.path,
                    problem: "cannot move the new cards into place (\(error)) nor the previous ones back (\(restoring)); they are in \(retired.path)")
            }
            throw CardStoreError(path: target.path, problem: "cannot move the new cards into place: \(error)")
        }
        // The new cards are in place: a previous copy that cannot be removed is only a hidden
        // directory left beside them.
        try? fileManager.removeItem(at: retired)
    }

    /// A decoding error in a few words: what is wrong and at which key.
    private static func explain(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "the top level" : codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)' at \(path(context.codingPath))"
        case .typeMismatch(let type, let context):
            return "expected \(type) at \(path(context.codingPath))"
        case .valueNotFound(let type, let context):
            return "expected \(type), found null at \(path(context.codingPath))"
        case .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context.codingPath))"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A card set that cannot be written or read: the file or directory at fault and what is wrong.
public struct CardStoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or directory at fault.
    public var path: String
    /// What is wrong with it.
    public var problem: String

    public var description: String { "\(path): \(problem)" }
}
