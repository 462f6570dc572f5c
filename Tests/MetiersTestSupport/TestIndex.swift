import Foundation
import Logging
import MetiersImport
import MetiersIndex
import MetiersSchema

/// Paths of the repository and an index built from its committed cards, shared by the tests.
public enum TestIndex {
    /// The repository root (this file is `Tests/MetiersTestSupport/TestIndex.swift`).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    public static var cardsPath: String { repositoryRoot + "/Index/cards" }
    public static var vocabularyPath: String { repositoryRoot + "/Config/vocabulary.tsv" }
    public static var romePath: String { repositoryRoot + "/Index/rome" }
    public static var rankingModelPath: String { repositoryRoot + "/Config/ranking-model.json" }

    /// The committed ranking model's JSON.
    public static func rankingModel() throws -> String {
        guard let data = FileManager.default.contents(atPath: rankingModelPath) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: rankingModelPath])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The committed ROME data, read once per test process.
    public static let romeCatalog: RomeCatalog = {
        do {
            return try RomeCatalog.load(directory: romePath)
        } catch {
            fatalError("cannot read the ROME data: \(error)")
        }
    }()
    /// Where `swift build` put the binaries (the test bundle sits beside them).
    public static let binaries: URL = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.hasSuffix(".xctest") } ?? CommandLine.arguments[0])
        var dir = bundle.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("metiersd").path) {
            dir = Bundle.main.bundleURL
        }
        return dir
    }()

    /// `../shared/eval` beside the repository, when present.
    public static var evalDirectory: String { URL(fileURLWithPath: repositoryRoot + "/../shared/eval").standardizedFileURL.path }

    /// A new temporary directory.
    public static func temporaryDirectory(_ name: String = "metiers-test") -> String {
        var template = Array("/tmp/\(name)-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    /// The committed vocabulary (empty when the file is absent).
    public static func vocabulary() throws -> Vocabulary {
        guard let data = FileManager.default.contents(atPath: vocabularyPath) else { return Vocabulary() }
        return try Vocabulary.parse(String(decoding: data, as: UTF8.self))
    }

    /// The titles the suggester is given with a card, and that card, before metiers-index asks
    /// the search: the vocabulary's aliases (their row's first card) and the ROME titles the
    /// attribution gives a card (`RomeAttribution`, as `Index/rome/attribution.tsv` shows it).
    public static func storedTitleCards() throws -> [String: String] {
        let vocabulary = try vocabulary()
        let attribution = RomeAttribution.compute(
            cards: try CardStore.load(from: cardsPath), catalog: romeCatalog, vocabulary: vocabulary, analyzer: try FrenchAnalyzer())
        let titles = vocabulary.storedTitles.compactMap { t in t.card.map { (t.title, $0) } }
            + attribution.entries.compactMap { e in e.card.map { (e.appellation.label, $0) } }
        return Dictionary(titles, uniquingKeysWith: { first, _ in first })
    }

    /// An index of the committed cards, vocabulary and ROME data, built once per test process.
    public static let path: String = {
        let root = temporaryDirectory("metiers-index") + "/db"
        do {
            let cards = try CardStore.load(from: cardsPath)
            _ = try IndexBuilder(logger: Logger(label: "test")).build(
                cards: cards, vocabulary: try vocabulary(), rome: romeCatalog, rankingModel: try rankingModel(), root: root)
        } catch {
            fatalError("cannot build the test index: \(error)")
        }
        return root
    }()

    /// Rows of a labelled eval file (`query<TAB>expected...`), nil when the file is absent.
    public static func evalRows(_ file: String) -> [(query: String, expected: [String])]? {
        guard let text = try? String(contentsOfFile: evalDirectory + "/" + file, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2 else { return nil }
            return (String(fields[0]), fields[1] == "none" ? [] : fields[1].split(separator: ",").map(String.init))
        }
    }
}
