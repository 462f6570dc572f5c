import Foundation
import MetiersClient
import MetiersImport
import MetiersModel
import MetiersSearch

/// Section 8: `suggest`, the title typeahead, on its own index built with the ROME data (the
/// other sections' index has none, and the suggester offers ROME's 13,120 titles too).
///
/// Workload: every name and appellation of the cards cut after 3, 5 and 8 characters, each
/// distinct prefix once, limit 8. Measured as the other rows are: in-process
/// (`SearchIndex.suggest`), the echo server replaying metiersd's recorded answers (the
/// transport floor) and metiersd, one client, the three interleaved in each round.
extension Session {
    /// The workload's prefixes.
    static func suggestPrefixes(_ cards: [Card]) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for title in cards.flatMap({ [$0.name] + $0.appellations.map(\.label) }) {
            for n in [3, 5, 8] where title.count >= n {
                let prefix = String(title.prefix(n))
                if !prefix.allSatisfy(\.isWhitespace) && seen.insert(prefix).inserted { result.append(prefix) }
            }
        }
        return result
    }

    mutating func measureSuggest(cards: [Card], into rep: inout Report) throws {
        let s = settings
        let db = temporary.path + "/db-suggest"
        let log = temporary.path + "/metiers-index-suggest.log"
        let status = try Spawn.run(binaries.metiersIndex, ["--db", db, "--cards", repository + "/Index/cards", "--vocabulary", repository + "/Config/vocabulary.tsv",
                                                           "--ranking-model", repository + "/Config/ranking-model.json", "--rome", repository + "/Index/rome"],
                                   environment: environment, stdout: log, stderr: log)
        guard status == 0 else { throw BenchError("metiers-index --rome failed (\(status)):\n\(tail(ofFile: log))") }
        let prefixes = Self.suggestPrefixes(cards)
        let lines = prefixes.enumerated().map { Array(#"{"v":1,"id":\#($0.offset),"op":"suggest","query":\#(Lines.escaped($0.element)),"limit":8}"#.utf8) }
        let daemon = try startDaemon(db: db, name: "metiersd-suggest")
        defer { stopDaemon(daemon) }
        let connection = try MetiersConnection(path: daemon.socket)
        let responses = try lines.map { try connection.exchange($0) }
        if let bad = responses.first(where: { !$0.contains(bytes: okTrue) }) {
            throw BenchError("metiersd refuses a suggest line: \(String(decoding: bad.prefix(300), as: UTF8.self))")
        }
        let opened = clock.now
        let index = try SearchIndex(path: db, logger: logger)
        let openTime = clock.now - opened
        var answered = 0
        for p in prefixes where !(try index.suggest(p, limit: 8)).isEmpty { answered += 1 }
        let echo = try EchoServer(path: temporary.path + "/echo-suggest.sock", replies: responses)
        defer { echo.stop() }

        progress("suggest: \(s.rounds) rounds of \(prefixes.count) prefixes, in-process, echo and metiersd")
        let clock = self.clock
        var inProcess = Samples(), echoRounds = Rounds(), daemonRounds = Rounds()
        for r in 0..<s.rounds {
            var steps: [() throws -> Void] = [
                {
                    for p in prefixes {
                        let t0 = clock.now
                        _ = try index.suggest(p, limit: 8)
                        inProcess.append(clock.now - t0)
                    }
                },
                { echoRounds.add(runLoad(socket: echo.path, clients: 1, lines: lines, total: lines.count)) },
                { daemonRounds.add(runLoad(socket: daemon.socket, clients: 1, lines: lines, total: lines.count)) },
            ]
            steps = Array(steps[(r % steps.count)...] + steps[..<(r % steps.count)])
            for step in steps { try step() }
        }
        let pair = inProcess.p50 + echoRounds.latencies.p50
        rep.add("8", "suggest: in-process SearchIndex.suggest, title prefixes", samples: inProcess,
                other: "\(prefixes.count) distinct prefixes (the cards' titles cut at 3, 5, 8 characters), limit 8, \(answered) with a suggestion; "
                    + "\(Format.grouped(try index.titleSuggester().count)) titles, made at open (open \(Format.seconds(openTime.seconds)))",
                target: "p50 ≤ 200 µs", met: inProcess.p50 <= 200)
        rep.add("8", "suggest: echo server, 1 client, suggest lines", samples: echoRounds.latencies, other: "\(Format.rate(echoRounds.medianRate)) req/s")
        rep.add("8", "suggest: metiersd, 1 client", samples: daemonRounds.latencies,
                other: "\(Format.rate(daemonRounds.medianRate)) req/s; in-process + echo p50 = \(Format.latency(pair)), metiersd = \(Format.ratio(daemonRounds.latencies.p50 / max(pair, 1e-9))) that"
                    + (daemonRounds.errors == 0 ? "" : "; \(daemonRounds.errors) errors"))
    }

    /// `--suggest-only`: section 8 alone, as one table.
    mutating func runSuggestOnly() throws {
        let cards = try CardStore.load(from: repository + "/Index/cards")
        var rep = Report()
        try measureSuggest(cards: cards, into: &rep)
        print("# metiers-bench (suggest only)")
        print()
        print("machine: \(Machine.cores) cores (nproc) · \(Machine.cpuModel) · load average \(loadAverage) · release binaries in \(binaries.directory)")
        print()
        print(rep.markdown())
    }
}
