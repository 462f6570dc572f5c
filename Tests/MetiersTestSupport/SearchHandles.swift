import Logging
import MetiersSearch

extension TestIndex {
    /// The first handle on the test index, opened once per test process. Opening one makes the
    /// title suggester and the stem words (about 1.4 s in a debug build); the handles tests open
    /// with `searchIndex()` share them, as the daemon's workers share their first handle's.
    nonisolated(unsafe) private static let firstHandle: SearchIndex = {
        do {
            return try SearchIndex(path: path, logger: Logger(label: "test"))
        } catch {
            fatalError("cannot open the test index: \(error)")
        }
    }()

    /// A new handle on the test index (a test's own: Xapian handles are not shared), reusing the
    /// first handle's immutable tables as `SearchIndex(path:sharing:)` does in the daemon.
    public static func searchIndex(options: RankingOptions = RankingOptions()) throws -> SearchIndex {
        try SearchIndex(path: path, options: options, logger: Logger(label: "test"), sharing: firstHandle)
    }
}
