import Foundation
import MetiersImport
import Testing

/// Writing and reading card sets.
struct CardStoreTests {
    /// A fresh directory under the system temporary directory, removed after `body`.
    private func withScratchDirectory(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("metiers-cardstore-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            try? FileManager.default.removeItem(atPath: path)
        }
        try body(path)
    }

    private func files(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    @Test func roundTrip() throws {
        let cards = try Referentiel.cards()
        try withScratchDirectory { scratch throws in
            let directory = scratch + "/cards"
            try CardStore.write(cards, to: directory)
            #expect(try files(in: directory) == cards.map { "\($0.id).json" }.sorted())
            #expect(try CardStore.load(from: directory) == cards)
            // Nothing left beside the directory.
            #expect(try files(in: scratch) == ["cards"])
        }
    }

    @Test func loadSortsByPageThenID() throws {
        let cards = try Referentiel.cards()
        try withScratchDirectory { scratch throws in
            var shuffled = Array(cards.reversed())
            shuffled[0].page = 1
            try CardStore.write(shuffled, to: scratch + "/cards")
            let loaded = try CardStore.load(from: scratch + "/cards")
            #expect(loaded.first?.id == "support-clients")
            #expect(Array(loaded.dropFirst()) == Array(cards.dropLast()))
        }
    }

    @Test func encodingIsStable() throws {
        let card = try #require(try Referentiel.cards().first { $0.id == "analyste-test-et-validation" })
        let json = try CardStore.encode(card)
        #expect(json.hasSuffix("}\n"))
        #expect(json.hasPrefix("{\n  \"activites_principales\" : ["))
        #expect(json.contains("\"CFTL/ISTQB\""))  // slashes unescaped
        #expect(json.contains("\"sous_famille\" : \"Qualification\""))
        var withoutSousFamille = card
        withoutSousFamille.sousFamille = nil
        #expect(try CardStore.encode(withoutSousFamille).contains("\"sous_famille\" : null"))
        #expect(try CardStore.encode(card) == json)
    }

    @Test func rewritingRemovesStaleCards() throws {
        let cards = try Referentiel.cards()
        try withScratchDirectory { scratch throws in
            let directory = scratch + "/cards"
            try CardStore.write(cards, to: directory)
            try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/retired-card.json"))
            try Data().write(to: URL(fileURLWithPath: directory + "/.DS_Store"))
            try CardStore.write(Array(cards.prefix(3)), to: directory)
            #expect(try files(in: directory) == cards.prefix(3).map { "\($0.id).json" }.sorted())
            #expect(try files(in: scratch) == ["cards"])
        }
    }

    /// A write that fails half-way (a file name too long for the file system, which stops root
    /// too) leaves the previous set as it was and no temporary directory behind.
    @Test func failedWriteKeepsThePreviousSet() throws {
        let cards = try Referentiel.cards()
        try withScratchDirectory { scratch throws in
            let directory = scratch + "/cards"
            try CardStore.write(cards, to: directory)
            let before = try files(in: directory)
            var tooLong = cards[0]
            tooLong.id = String(repeating: "a", count: 300)
            #expect(throws: CardStoreError.self) {
                try CardStore.write(Array(cards.dropFirst()) + [tooLong], to: directory)
            }
            #expect(try files(in: directory) == before)
            #expect(try CardStore.load(from: directory) == cards)
            #expect(try files(in: scratch) == ["cards"])
        }
    }

    @Test(.enabled(if: geteuid() != 0, "root writes into read-only directories"))
    func unwritableDirectoryKeepsThePreviousSet() throws {
        let cards = try Referentiel.cards()
        try withScratchDirectory { scratch throws in
            let directory = scratch + "/cards"
            try CardStore.write(cards, to: directory)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: scratch)
            #expect(throws: CardStoreError.self) {
                try CardStore.write(Array(cards.prefix(1)), to: directory)
            }
            #expect(try CardStore.load(from: directory) == cards)
        }
    }

    @Test func unwritableLocation() throws {
        try withScratchDirectory { scratch throws in
            let file = scratch + "/file"
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            let error = try #require(throws: CardStoreError.self) {
                try CardStore.write(Array(try Referentiel.cards().prefix(1)), to: file + "/cards")
            }
            #expect(error.path.hasPrefix(file))
        }
    }

    @Test func refusesToReplaceADirectoryOfOtherFiles() throws {
        try withScratchDirectory { scratch throws in
            try Data("notes".utf8).write(to: URL(fileURLWithPath: scratch + "/README.md"))
            let error = try #require(throws: CardStoreError.self) {
                try CardStore.write(try Referentiel.cards(), to: scratch)
            }
            #expect(error.problem.contains("README.md"))
            #expect(try files(in: scratch) == ["README.md"])
        }
    }

    @Test func refusesInvalidOrRepeatedIDs() throws {
        let card = try #require(try Referentiel.cards().first)
        try withScratchDirectory { scratch throws in
            var escaping = card
            escaping.id = "../evil"
            #expect(throws: CardStoreError.self) { try CardStore.write([escaping], to: scratch + "/cards") }
            #expect(throws: CardStoreError.self) { try CardStore.write([card, card], to: scratch + "/cards") }
            #expect(try files(in: scratch) == [])
        }
    }

    @Test func loadNamesTheBadFile() throws {
        let cards = try Referentiel.cards()
        try withScratchDirectory { scratch throws in
            let directory = scratch + "/cards"
            try CardStore.write(cards, to: directory)

            let urbaniste = directory + "/urbaniste.json"
            try Data("{\"id\": \"urbaniste\"}".utf8).write(to: URL(fileURLWithPath: urbaniste))
            let missingKey = try #require(throws: CardStoreError.self) { try CardStore.load(from: directory) }
            #expect(missingKey.path == urbaniste)
            #expect(missingKey.problem.hasPrefix("not a card: missing key"))

            try Data("{".utf8).write(to: URL(fileURLWithPath: urbaniste))
            #expect(throws: CardStoreError.self) { try CardStore.load(from: directory) }

            try FileManager.default.removeItem(atPath: urbaniste)
            try FileManager.default.moveItem(atPath: directory + "/commercial.json", toPath: urbaniste)
            let misnamed = try #require(throws: CardStoreError.self) { try CardStore.load(from: directory) }
            #expect(misnamed.problem == "holds card 'commercial', expected a file named commercial.json")

            let missing = try #require(throws: CardStoreError.self) { try CardStore.load(from: scratch + "/none") }
            #expect(missing.path == scratch + "/none")
        }
    }
}
