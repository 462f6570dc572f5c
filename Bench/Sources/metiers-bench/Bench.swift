import ArgumentParser
import Foundation
import Logging
import MetiersClient
import MetiersImport
import MetiersIndex
import MetiersModel
import MetiersSchema
import MetiersSearch

#if canImport(Glibc)
import Glibc
#endif

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metiers-bench",
        abstract: "The benchmark of issue 6: metiersd against its floors and peers, side by side in one run.",
        discussion: """
            Builds a fresh index in a temporary directory, starts the release metiersd found in
            --bin-dir or beside this executable (building it when missing), and prints one markdown
            table on stdout (progress on stderr). Run it with Scripts/bench, which builds the main
            package's release binaries and this package (Bench/) and passes --bin-dir.
            """)

    @Flag(help: "Smaller counts and no 100,000-card growth step: a smoke test (under a minute).")
    var quick = false

    @Option(help: "Title queries per measured configuration (300-word postings: a twentieth). Default 5000, --quick 200.")
    var queries: Int?

    @Option(help: "Growth corpus sizes, comma-separated (36 = the real cards). Default 36,1000,10000,100000; --quick 36,1000.")
    var sizes: String?

    @Option(help: "Round trips of the memory run (section 3). Default 100000, --quick 1000.")
    var rssQueries: Int?

    @Option(help: "Postings of the classify batch. Default 10000, --quick 200.")
    var batch: Int?

    @Option(help: "Runs of each CLI (interleaved). Default 30, --quick 5.")
    var cliRuns: Int?

    @Option(help: "Seed of the generated queries, postings and cards.")
    var seed: UInt64 = 6

    @Option(help: "Directory of the release metiersd, metiers-index and metiers (default: this executable's).")
    var binDir: String?

    @Flag(help: "Only section 8, suggest (title typeahead): in-process, echo and metiersd.")
    var suggestOnly = false

    @Flag(help: "Keep the temporary directory (indexes, logs).")
    var keep = false

    @Option(help: ArgumentHelp("In-process searches only, for a profiler: titles, postings or classify (needs --db).", visibility: .hidden))
    var profile: String?

    @Option(help: ArgumentHelp("Searches of --profile after its warm-up pass.", visibility: .hidden))
    var profileCount = 1000

    @Option(help: ArgumentHelp("The index --profile searches.", visibility: .hidden))
    var db: String?

    mutating func validate() throws {
        if let queries, queries < 10 { throw ValidationError("--queries must be at least 10") }
        if let s = sizes, parsedSizes(s) == nil { throw ValidationError("--sizes: comma-separated positive integers, e.g. 36,1000,10000") }
    }

    func parsedSizes(_ s: String) -> [Int]? {
        let parts = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return parts.map { $0! }
    }

    func run() throws {
        if let profile {
            guard let kind = Profile.Kind(rawValue: profile), let db, let repository = locateRepository() else {
                throw ValidationError("--profile titles|postings|classify needs --db and the repository as working directory")
            }
            try Profile.run(kind: kind, db: db, count: profileCount, seed: seed, repository: repository)
            return
        }
        let settings = Settings(
            quick: quick,
            titles: queries ?? (quick ? 200 : 5000),
            sizes: sizes.flatMap(parsedSizes) ?? (quick ? [36, 1000] : [36, 1000, 10_000, 100_000]),
            rssQueries: rssQueries ?? (quick ? 1000 : 100_000),
            batch: batch ?? (quick ? 200 : 10_000),
            cliRuns: cliRuns ?? (quick ? 5 : 30),
            seed: seed, binDir: binDir, keep: keep)
        ChildProcesses.installHandlers()
        var session = try Session(settings)
        do {
            if suggestOnly { try session.runSuggestOnly() } else { try session.runAll() }
        } catch {
            session.cleanUp()
            throw error
        }
        session.cleanUp()
    }
}

struct Settings {
    var quick: Bool
    var titles: Int
    var postings: Int { max(20, titles / 20) }
    var sizes: [Int]
    var rssQueries: Int
    var batch: Int
    var cliRuns: Int
    var seed: UInt64
    var binDir: String?
    var keep: Bool
    /// One-client rounds (in-process, FTS5, echo, metiersd interleaved in each).
    var rounds: Int { quick ? 2 : 5 }
    /// Concurrent rounds (echo and metiersd alternating).
    var concurrentRounds: Int { quick ? 1 : 3 }
    /// Distinct 300-word postings.
    var distinctPostings: Int { quick ? 16 : 64 }
    /// Time budget per growth size and query kind.
    var growthBudget: Duration { quick ? .seconds(2) : .seconds(20) }
    /// Title queries the daemon answers, per growth size, before its VmRSS is read.
    var growthWarmTitles: Int { quick ? 50 : 200 }
}

/// One run of the bench: its temporary files, processes and the report.
struct Session {
    let settings: Settings
    let repository: String
    let binaries: Binaries
    let temporary: TemporaryDirectory
    let environment: [String]
    let logger = Logger(label: "metiers-bench", factory: { _ in SwiftLogNoOpLogHandler() })
    let clock = ContinuousClock()
    var report = Report()
    var daemons: [Daemon] = []
    var echo: EchoServer?
    var notes: [String] = []

    init(_ settings: Settings) throws {
        self.settings = settings
        guard let repository = locateRepository() else {
            throw BenchError("cannot find the repository (a directory with Package.swift and Index/cards): run from inside it")
        }
        self.repository = repository
        binaries = Binaries(directory: settings.binDir ?? directoryOf(ownExecutablePath()))
        try binaries.buildMissing(repository: repository)
        temporary = try TemporaryDirectory(prefix: "metiers-bench")
        if !settings.keep { ChildProcesses.removeOnInterrupt(temporary.path) }
        // An empty configuration: built-in defaults (one event loop per core, limit 10), whatever
        // Config/metiers.toml or $METIERS_CONFIG say; flags give the db, socket and log level.
        let config = temporary.path + "/bench.toml"
        try Data("# metiers-bench: built-in defaults\n".utf8).write(to: URL(fileURLWithPath: config))
        environment = Spawn.environment(["METIERS_CONFIG": config, "METIERS_SOCKET": nil])
    }

    mutating func cleanUp() {
        for d in daemons { d.stop() }
        daemons.removeAll()
        echo?.stop()
        echo = nil
        if settings.keep {
            progress("kept \(temporary.path)")
        } else {
            temporary.remove()
        }
    }

    mutating func startDaemon(db: String, name: String, httpPort: Int? = nil) throws -> Daemon {
        let d = try Daemon(
            binaries: binaries, db: db, socket: temporary.path + "/\(name).sock", log: temporary.path + "/\(name).log", environment: environment,
            httpPort: httpPort)
        daemons.append(d)
        return d
    }

    mutating func stopDaemon(_ d: Daemon) {
        d.stop()
        daemons.removeAll { $0 === d }
    }

    func time(_ body: () throws -> Void) rethrows -> Duration {
        let t0 = clock.now
        try body()
        return clock.now - t0
    }

    mutating func runAll() throws {
        let s = settings
        let started = clock.now
        let loadStart = loadAverage
        progress("repository \(repository); binaries \(binaries.directory); temp \(temporary.path)")

        // The corpus and the queries.
        let cards = try CardStore.load(from: repository + "/Index/cards")
        let vocabularyPath = repository + "/Config/vocabulary.tsv"
        let vocabulary = try Vocabulary.parse(String(contentsOfFile: vocabularyPath, encoding: .utf8))
        let rankingModel = try String(contentsOfFile: repository + "/Config/ranking-model.json", encoding: .utf8)
        let pools = TextPools(cards: cards)
        var workload = Workload(pools: pools, postingCount: s.distinctPostings, seed: s.seed)

        // A fresh index, built by the release metiers-index.
        let db = temporary.path + "/db"
        let indexLog = temporary.path + "/metiers-index.log"
        var status: Int32 = 0
        let indexTime = try time {
            status = try Spawn.run(binaries.metiersIndex, ["--db", db, "--cards", repository + "/Index/cards", "--vocabulary", vocabularyPath,
                                                             "--ranking-model", repository + "/Config/ranking-model.json"],
                                   environment: environment, stdout: indexLog, stderr: indexLog)
        }
        guard status == 0 else { throw BenchError("metiers-index failed (\(status)):\n\(tail(ofFile: indexLog))") }
        progress("index built in \(Format.seconds(indexTime.seconds))")

        // metiersd; one pass over every query records its responses (and warms it up).
        // With its HTTP listener: the HTTP row measures the same daemon in the same rounds.
        let daemon = try startDaemon(db: db, name: "metiersd", httpPort: LoopbackTCP.freePort())
        let recordConnection = try MetiersConnection(path: daemon.socket)
        var responses: [[UInt8]] = []
        var titleLines: [[UInt8]] = []
        var postingLines: [[UInt8]] = []
        var excluded: [String] = []
        for attempt in 0..<2 {
            titleLines = workload.titles.enumerated().map { Lines.search(id: $0.offset, query: $0.element, limit: 10) }
            postingLines = workload.postings.enumerated().map { Lines.search(id: workload.titles.count + $0.offset, query: $0.element, limit: 10) }
            responses = try (titleLines + postingLines).map { try recordConnection.exchange($0) }
            let bad = responses.indices.filter { !responses[$0].contains(bytes: okTrue) }
            if bad.isEmpty { break }
            guard attempt == 0 else { throw BenchError("metiersd keeps failing queries: \(String(decoding: responses[bad[0]].prefix(300), as: UTF8.self))") }
            // Queries the daemon refuses (none expected) are left out of every measurement.
            let badSet = Set(bad)
            let titleCount = workload.titles.count
            excluded = bad.map { String(decoding: responses[$0].prefix(200), as: UTF8.self) }
            workload.titles = workload.titles.enumerated().filter { !badSet.contains($0.offset) }.map(\.element)
            workload.postings = workload.postings.enumerated().filter { !badSet.contains(titleCount + $0.offset) }.map(\.element)
        }
        let titles = workload.titles
        let postings = workload.postings
        let nT = titles.count
        let answered = [
            responses.prefix(nT).filter { !$0.contains(bytes: Array(#""match":"none""#.utf8)) }.count,
            responses.dropFirst(nT).filter { !$0.contains(bytes: Array(#""match":"none""#.utf8)) }.count,
        ]

        // The floors and the peer.
        let index = try SearchIndex(path: db, logger: logger)
        let fts = try FTSIndex(path: temporary.path + "/fts.sqlite", cards: cards)
        var inProcessErrors = 0
        var ftsAnswered = [0, 0]
        for (i, q) in (titles + postings).enumerated() {
            do { _ = try index.search(SearchRequest(text: q, mode: .search, limit: 10)) } catch { inProcessErrors += 1 }
            if !fts.search(q).isEmpty { ftsAnswered[i < nT ? 0 : 1] += 1 }
        }
        let echo = try EchoServer(path: temporary.path + "/echo.sock", replies: responses)
        self.echo = echo
        _ = runLoad(socket: echo.path, clients: 1, lines: titleLines + postingLines, total: titleLines.count + postingLines.count)

        // 1-3: one client, the four ways interleaved in each round.
        progress("one client: \(s.rounds) rounds of \(s.titles / s.rounds) titles and \(s.postings / s.rounds) postings, each way")
        let clock = self.clock
        var floorT = Samples(), floorP = Samples(), ftsT = Samples(), ftsP = Samples()
        var floorCPU = [Samples(), Samples()]
        var daemonCPU = [0.0, 0.0], daemonCPURequests = [0, 0]
        var echoT = Rounds(), echoP = Rounds(), daemonT = Rounds(), daemonP = Rounds(), httpT = Rounds()
        // The titles as HTTP requests: GET /v1/search?q=…&limit=10, the socket lines' twins.
        let httpTitles = titles.map { HTTPConnection.get("/v1/search?q=\(formEncoded($0))&limit=10") }
        let chunkT = max(1, s.titles / s.rounds)
        let chunkP = max(1, s.postings / s.rounds)
        for r in 0..<s.rounds {
            for kind in 0..<2 {
                let (queries, lines, chunk) = kind == 0 ? (titles, titleLines, chunkT) : (postings, postingLines, chunkP)
                let offset = r * chunk
                var steps: [() -> Void] = [
                    {
                        var samples = Samples()
                        for k in 0..<chunk {
                            let q = queries[(offset + k) % queries.count]
                            let c0 = threadCPUMicroseconds()
                            let t0 = clock.now
                            do { _ = try index.search(SearchRequest(text: q, mode: .search, limit: 10)) } catch { inProcessErrors += 1 }
                            samples.append(clock.now - t0)
                            floorCPU[kind].append(contentsOf: [threadCPUMicroseconds() - c0])
                        }
                        if kind == 0 { floorT.append(contentsOf: samples) } else { floorP.append(contentsOf: samples) }
                    },
                    {
                        var samples = Samples()
                        for k in 0..<chunk {
                            let q = queries[(offset + k) % queries.count]
                            let t0 = clock.now
                            fts.search(q)
                            samples.append(clock.now - t0)
                        }
                        if kind == 0 { ftsT.append(contentsOf: samples) } else { ftsP.append(contentsOf: samples) }
                    },
                    {
                        let result = runLoad(socket: echo.path, clients: 1, lines: lines, total: chunk, offset: offset)
                        if kind == 0 { echoT.add(result) } else { echoP.add(result) }
                    },
                    {
                        let c0 = processCPUSeconds(pid: daemon.pid) ?? 0
                        let result = runLoad(socket: daemon.socket, clients: 1, lines: lines, total: chunk, offset: offset)
                        daemonCPU[kind] += (processCPUSeconds(pid: daemon.pid) ?? 0) - c0
                        daemonCPURequests[kind] += result.requests
                        if kind == 0 { daemonT.add(result) } else { daemonP.add(result) }
                    },
                ]
                if kind == 0, let port = daemon.httpPort {
                    steps.append {
                        httpT.add(runHTTPLoad(port: port, requests: httpTitles, total: chunk, offset: offset))
                    }
                }
                // Rotate the order from round to round so that no way always goes first.
                steps = Array(steps[(r % steps.count)...] + steps[..<(r % steps.count)])
                for step in steps { step() }
            }
        }

        // 3: concurrent clients, echo and metiersd alternating.
        var concurrent: [(clients: Int, echoT: Rounds, daemonT: Rounds, echoP: Rounds, daemonP: Rounds)] = []
        for clients in [8, 64] {
            progress("\(clients) clients: \(s.concurrentRounds) rounds of \(s.titles) titles and \(s.postings) postings, echo and metiersd")
            var eT = Rounds(), dT = Rounds(), eP = Rounds(), dP = Rounds()
            for r in 0..<s.concurrentRounds {
                let echoFirst = r % 2 == 0
                for (kind, lines, total) in [(0, titleLines, s.titles), (1, postingLines, s.postings)] {
                    for useEcho in (echoFirst ? [true, false] : [false, true]) {
                        let result = runLoad(socket: useEcho ? echo.path : daemon.socket, clients: clients, lines: lines, total: total, offset: r * 7)
                        switch (kind, useEcho) {
                        case (0, true): eT.add(result)
                        case (0, false): dT.add(result)
                        case (1, true): eP.add(result)
                        default: dP.add(result)
                        }
                    }
                }
            }
            concurrent.append((clients, eT, dT, eP, dP))
        }

        // 3: memory over many queries.
        progress("memory: \(s.rssQueries) title queries over 8 clients")
        let rssBefore = daemon.rssKiB
        let long = runLoad(socket: daemon.socket, clients: 8, lines: titleLines, total: s.rssQueries)
        let rssAfter = daemon.rssKiB

        // 4: classify.
        progress("classify: \(s.batch) postings")
        let batchResult = try measureClassify(daemon: daemon, pools: pools)
        let peakRSS = daemon.peakRSSKiB

        // 5: whole-process CLI against quest.
        progress("CLI: metiers search against quest, \(s.cliRuns) runs each, interleaved")
        let cli = try measureCLI(daemon: daemon, db: db)

        echo.stop()
        self.echo = nil
        stopDaemon(daemon)

        // 6: growth.
        var growth: [GrowthPoint] = []
        for size in s.sizes {
            growth.append(try measureGrowth(size: size, real: cards, pools: pools, vocabulary: vocabulary, rankingModel: rankingModel, titles: titles, postings: postings))
        }

        // The table.
        let r1 = s.rounds
        let pairT = (floorT.p50 + echoT.latencies.p50)
        let pairP = (floorP.p50 + echoP.latencies.p50)
        let reqBytes = { (lines: [[UInt8]]) in lines.isEmpty ? 0 : lines.reduce(0) { $0 + $1.count } / lines.count }
        let respT = responses.prefix(nT).reduce(0) { $0 + $1.count } / max(1, nT)
        let respP = responses.dropFirst(nT).reduce(0) { $0 + $1.count } / max(1, postings.count)
        var rep = Report()
        rep.add("0", "workload", other: "\(nT) distinct titles (the referentiel's names and appellations), \(postings.count) distinct \(Workload.postingWords)-word postings (seed \(s.seed)); limit 10; lines: titles \(reqBytes(titleLines)) B → \(respT) B, postings \(reqBytes(postingLines)) B → \(respP) B; index built by metiers-index in \(Format.seconds(indexTime.seconds))"
                + (excluded.isEmpty ? "" : "; \(excluded.count) queries refused by metiersd left out (\(excluded[0]))"))
        rep.add("1", "floor: in-process SearchIndex.search, titles", samples: floorT, other: "n=\(floorT.count) in \(r1) rounds; thread CPU p50 \(Format.latency(floorCPU[0].p50))" + (inProcessErrors > 0 ? "; \(inProcessErrors) errors" : ""))
        rep.add("1", "floor: in-process SearchIndex.search, 300-word postings", samples: floorP, other: "n=\(floorP.count); thread CPU p50 \(Format.latency(floorCPU[1].p50))")
        let cpuPerRequest = { (kind: Int) in daemonCPURequests[kind] > 0 ? Format.latency(daemonCPU[kind] * 1e6 / Double(daemonCPURequests[kind])) : "?" }
        rep.add("2", "transport floor: echo server, 1 client, title lines", samples: echoT.latencies, other: "\(Format.rate(echoT.medianRate)) req/s" + errorNote(echoT))
        rep.add("2", "transport floor: echo server, 1 client, posting lines", samples: echoP.latencies, other: "\(Format.rate(echoP.medianRate)) req/s" + errorNote(echoP))
        let t1 = daemonT.latencies.p50 / pairT
        rep.add("3", "metiersd, 1 client, titles", samples: daemonT.latencies,
                other: "\(Format.rate(daemonT.medianRate)) req/s; p50 = \(Format.ratio(t1)) (floor + transport) = \(Format.ratio(daemonT.latencies.p50 / floorT.p50)) floor; metiersd CPU \(cpuPerRequest(0))/request" + errorNote(daemonT),
                target: "p50 ≤ 1.3 × (floor + transport) = \(Format.latency(1.3 * pairT))", met: t1 <= 1.3)
        let httpRatio = httpT.latencies.isEmpty ? .nan : httpT.latencies.p50 / daemonT.latencies.p50
        rep.add("3", "HTTP GET /v1/search p50, 1 client, titles", samples: httpT.latencies,
                other: "\(Format.rate(httpT.medianRate)) req/s; p50 = \(Format.ratio(httpRatio)) the socket's p50 (\(Format.latency(daemonT.latencies.p50))), same daemon, same rounds" + errorNote(httpT),
                target: "p50 ≤ 1.5 × socket p50 = \(Format.latency(1.5 * daemonT.latencies.p50))", met: httpRatio <= 1.5)
        rep.add("3", "metiersd, 1 client, postings", samples: daemonP.latencies,
                other: "\(Format.rate(daemonP.medianRate)) req/s; p50 = \(Format.ratio(daemonP.latencies.p50 / pairP)) (floor + transport); metiersd CPU \(cpuPerRequest(1))/request" + errorNote(daemonP))
        for c in concurrent {
            let ratio = c.daemonT.medianRate / c.echoT.medianRate
            rep.add("2", "echo server, \(c.clients) clients, title lines", samples: c.echoT.latencies, other: "\(Format.rate(c.echoT.medianRate)) req/s (median of \(c.echoT.rates.count) rounds)" + errorNote(c.echoT))
            // The daemon scales with the cores (8 clients), and a crowd waits its turn without a
            // long tail (64 clients), each against the 1-client figures of the same run.
            let scaling = c.daemonT.medianRate / daemonT.medianRate
            let tail = c.daemonT.latencies.p99 / daemonT.latencies.p50
            if c.clients == 8 {
                rep.add("3", "metiersd, 8 clients, titles", samples: c.daemonT.latencies,
                        other: "\(Format.rate(c.daemonT.medianRate)) req/s = \(Format.ratio(scaling)) the 1-client req/s (\(Format.percent(ratio)) of echo's)" + errorNote(c.daemonT),
                        target: "req/s ≥ 1.7 × 1 client's", met: scaling >= 1.7)
            } else {
                rep.add("3", "metiersd, \(c.clients) clients, titles", samples: c.daemonT.latencies,
                        other: "\(Format.rate(c.daemonT.medianRate)) req/s (\(Format.percent(ratio)) of echo's); p99 = \(Format.ratio(tail)) the 1-client p50" + errorNote(c.daemonT),
                        target: c.clients == 64 ? "p99 ≤ 10 × 1 client's p50 = \(Format.latency(10 * daemonT.latencies.p50))" : "",
                        met: c.clients == 64 ? tail <= 10 : nil)
            }
            rep.add("2", "echo server, \(c.clients) clients, posting lines", samples: c.echoP.latencies, other: "\(Format.rate(c.echoP.medianRate)) req/s" + errorNote(c.echoP))
            rep.add("3", "metiersd, \(c.clients) clients, postings", samples: c.daemonP.latencies,
                    other: "\(Format.rate(c.daemonP.medianRate)) req/s = \(Format.percent(c.daemonP.medianRate / c.echoP.medianRate)) of echo's" + errorNote(c.daemonP))
        }
        let growthKiB = rssAfter - rssBefore
        rep.add("3", "metiersd VmRSS before → after \(Format.grouped(long.requests)) title queries (8 clients)", samples: long.latencies,
                other: "\(Format.mib(kib: rssBefore)) → \(Format.mib(kib: rssAfter)) (\(growthKiB >= 0 ? "+" : "")\(Format.grouped(growthKiB)) KiB: \(abs(growthKiB) <= 1024 ? "flat" : "grows")); \(Format.rate(long.perSecond)) req/s" + (long.errors > 0 ? "; \(long.errors) errors" : ""),
                target: "≤ 40 MiB after, flat", met: rssAfter <= 40 * 1024 && growthKiB <= 1024)
        switch batchResult {
        case .unavailable(let why):
            rep.add("4", "classify batch", other: "n/a (\(why))", target: "≥ 5,000 postings/s")
        case .measured(let b):
            func errors(_ e: [String: Int]) -> String {
                e.isEmpty ? "" : "; items failed: " + e.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            }
            rep.add("4", "classify, \(Format.grouped(b.postings)) postings of \(b.words) words + title, \(b.requests) requests of ≤ \(b.perRequest), 1 connection",
                    p50: Format.latency(b.requestLatencies.p50), p99: Format.latency(b.requestLatencies.p99),
                    other: "\(Format.rate(b.oneConnection)) postings answered/s (p50/p99 per request)" + errors(b.oneErrors) + (b.failure.map { "; a request failed: \($0)" } ?? ""))
            rep.add("4", "classify, same batch over \(b.parallelConnections) connections at once",
                    other: "\(Format.rate(b.parallel)) postings answered/s" + errors(b.parallelErrors),
                    target: "≥ 5,000 postings/s", met: b.parallel >= 5000)
        }
        rep.add("4", "metiersd peak RSS (VmHWM) after all of the above", other: Format.mib(kib: peakRSS))
        switch cli {
        case .unavailable(let why):
            rep.add("5", "CLI: metiers search vs quest", other: "n/a (\(why))", target: "≤ 1.2 × quest")
        case .measured(let c):
            let ratio = c.metiers.p50 / c.quest.p50
            rep.add("5", "CLI: `metiers search --socket S \"\(c.query)\"` (whole process)", samples: c.metiers, other: "n=\(c.metiers.count)")
            rep.add("5", "CLI: `quest -d \(c.questDB) \(c.questArguments)` (whole process)", samples: c.quest,
                    other: "n=\(c.quest.count); \(c.questMatches); metiers/quest p50 = \(Format.ratio(ratio))",
                    target: "metiers ≤ 1.2 × quest", met: ratio <= 1.2)
        }
        for g in growth {
            rep.add("6", "growth: \(Format.grouped(g.size)) \(g.synthetic ? "synthetic" : "real") cards (\(Format.grouped(g.words)) words), in-process titles", samples: g.titles,
                    other: "build \(Format.seconds(g.build.seconds)) (\(Format.fixed(g.build.microseconds / Double(g.size) / 1000, 2)) ms/card); index \(Format.mib(kib: g.indexKiB)); postings p50 \(g.postings.isEmpty ? "–" : Format.latency(g.postings.p50)) p99 \(g.postings.isEmpty ? "–" : Format.latency(g.postings.p99)) (n=\(g.titles.count)/\(g.postings.count)); metiersd VmRSS \(Format.mib(kib: g.rssKiB)) after \(g.rssAfterQueries) queries")
        }
        if let slope = growthSlopes(growth) {
            let worst = max(slope.build, slope.rss)
            rep.add("6", "growth: log-log slope \(Format.grouped(slope.from)) → \(Format.grouped(slope.to)) cards (1 = linear)",
                    other: "build \(Format.fixed(slope.build, 2)), title p50 \(Format.fixed(slope.titles, 2)), posting p50 \(Format.fixed(slope.postings, 2)), RSS \(Format.fixed(slope.rss, 2))",
                    target: "roughly linear: build and RSS slopes ≤ 1.2", met: worst <= 1.2)
        }
        rep.add("7", "peer: SQLite \(fts.sqliteVersion) FTS5 in-process, titles", samples: ftsT,
                other: "n=\(ftsT.count); \(ftsAnswered[0])/\(nT) queries with a hit (metiers: \(answered[0]) not abstaining); metiers floor/FTS5 p50 = \(Format.ratio(floorT.p50 / ftsT.p50))",
                target: "metiers in-process p50 ≤ 1.0 × FTS5", met: floorT.p50 <= ftsT.p50)
        rep.add("7", "peer: SQLite FTS5 in-process, 300-word postings", samples: ftsP,
                other: "n=\(ftsP.count); \(ftsAnswered[1])/\(postings.count) with a hit (metiers: \(answered[1])); metiers floor/FTS5 p50 = \(Format.ratio(floorP.p50 / ftsP.p50))",
                target: "metiers in-process p50 ≤ 1.0 × FTS5", met: floorP.p50 <= ftsP.p50)
        progress("suggest: its own index, with the ROME data")
        try measureSuggest(cards: cards, into: &rep)
        report = rep

        let total = clock.now - started
        let loadEnd = loadAverage
        print("# metiers-bench")
        print()
        print("machine: \(Machine.cores) cores (nproc) · \(Machine.cpuModel) · \(Machine.kernel) · \(Machine.memoryTotal) RAM · load average \(loadStart) at start, \(loadEnd) at end")
        print("run: \(s.quick ? "--quick" : "full") · release binaries in \(binaries.directory) · metiersd with built-in defaults (one event loop per core) · \(s.titles) titles / \(s.postings) postings per configuration · whole run \(Format.seconds(total.seconds))")
        print()
        print(rep.markdown())
        for note in notes { print("\n" + note) }
    }

    private func errorNote(_ r: Rounds) -> String {
        r.errors == 0 ? "" : "; \(r.errors) errors (\(r.firstError ?? "?"))"
    }

    // MARK: classify

    enum BatchOutcome {
        case unavailable(String)
        case measured(BatchFigures)
    }

    struct BatchFigures {
        var postings: Int
        var words: Int
        var requests: Int
        var perRequest: Int
        /// Postings answered ok per second.
        var oneConnection: Double
        var oneErrors: [String: Int]
        var parallel: Double
        var parallelErrors: [String: Int]
        var parallelConnections: Int
        var requestLatencies: Samples
        var failure: String?
    }

    func measureClassify(daemon: Daemon, pools: TextPools) throws -> BatchOutcome {
        let s = settings
        let words = 120
        let postings = Workload.classifyPostings(pools: pools, count: s.batch, words: words, seed: s.seed &+ 4)
        // ≤ 1000 postings and under the daemon's 1 MiB line limit per request; at least two
        // requests per core, so that the parallel run has work for every connection.
        let perRequest = min(1000, max(1, postings.count / (2 * max(2, Machine.cores))))
        var lines: [[UInt8]] = []
        var start = 0
        while start < postings.count {
            var end = min(postings.count, start + perRequest)
            var line = Lines.classify(id: lines.count, postings: postings[start..<end])
            while line.count > 1_000_000 && end - start > 1 {
                end = start + (end - start) * 9 / 10
                line = Lines.classify(id: lines.count, postings: postings[start..<end])
            }
            lines.append(line)
            start = end
        }
        let connection = try MetiersConnection(path: daemon.socket)
        // A probe: is there a classify op? (It also warms the path up.)
        let probe = try connection.exchange(Lines.classify(id: 999_999, postings: postings[0..<min(20, postings.count)]))
        if probe.contains(bytes: unknownOp) { return .unavailable("classify not available") }
        if !probe.contains(bytes: okTrue) {
            return .unavailable("classify answered: \(String(decoding: probe.prefix(200), as: UTF8.self))")
        }

        /// Items answered ok, and the error codes of the others.
        func tally(_ responses: [[UInt8]]) -> (ok: Int, errors: [String: Int], failure: String?) {
            var ok = 0
            var errors: [String: Int] = [:]
            var failure: String?
            for response in responses {
                guard let object = try? JSONSerialization.jsonObject(with: Data(response)) as? [String: Any],
                    object["ok"] as? Bool == true, let items = object["items"] as? [[String: Any]]
                else {
                    if failure == nil { failure = String(decoding: response.prefix(200), as: UTF8.self) }
                    continue
                }
                for item in items {
                    if let error = item["error"] as? [String: Any] {
                        errors[(error["code"] as? String) ?? "?", default: 0] += 1
                    } else {
                        ok += 1
                    }
                }
            }
            return (ok, errors, failure)
        }

        // One connection, the requests one after the other.
        var latencies = Samples()
        var responses: [[UInt8]] = []
        let t0 = clock.now
        for line in lines {
            let r0 = clock.now
            responses.append(try connection.exchange(line))
            latencies.append(clock.now - r0)
        }
        let wall = clock.now - t0
        let one = tally(responses)
        if one.ok == 0, let failure = one.failure { return .unavailable("classify failed: \(failure)") }

        // The same batch split over one connection per core, all at once.
        let connections = max(2, Machine.cores)
        let parallel = runParallelBatch(socket: daemon.socket, lines: lines, connections: connections)
        let two = tally(parallel.responses)
        return .measured(BatchFigures(
            postings: postings.count, words: words, requests: lines.count, perRequest: perRequest,
            oneConnection: Double(one.ok) / wall.seconds, oneErrors: one.errors,
            parallel: Double(two.ok) / parallel.wall.seconds, parallelErrors: two.errors, parallelConnections: connections,
            requestLatencies: latencies, failure: one.failure ?? two.failure))
    }

    /// Sends `lines` over `connections` connections at once (line i on connection i % n).
    func runParallelBatch(socket: String, lines: [[UInt8]], connections: Int) -> (responses: [[UInt8]], wall: Duration) {
        final class Box: @unchecked Sendable { var responses: [[[UInt8]]] = [] }
        let box = Box()
        box.responses = Array(repeating: [], count: connections)
        let group = DispatchGroup()
        let t0 = clock.now
        for c in 0..<connections {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let connection = try? MetiersConnection(path: socket) else { return }
                for i in Swift.stride(from: c, to: lines.count, by: connections) {
                    if let r = try? connection.exchange(lines[i]) { box.responses[c].append(r) }
                }
            }.start()
        }
        group.wait()
        return (box.responses.flatMap { $0 }, clock.now - t0)
    }

    // MARK: CLI

    enum CLIOutcome {
        case unavailable(String)
        case measured(CLIFigures)
    }

    struct CLIFigures {
        var query: String
        var metiers: Samples
        var quest: Samples
        var questDB: String
        var questArguments: String
        var questMatches: String
    }

    func measureCLI(daemon: Daemon, db: String) throws -> CLIOutcome {
        let query = "développeur java"
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let quest = (path.split(separator: ":").map { "\($0)/quest" } + ["/usr/bin/quest"]).first(where: isExecutable) else {
            return .unavailable("quest not installed: apt-get install xapian-tools")
        }
        // quest searches the same stems in the same six fields (its QueryParser's default
        // prefixes), unstemmed by itself since the index holds metiers' French stems.
        let stems = try FrenchAnalyzer().analyse(query).map(\.stem)
        var questArgs = ["-s", "none", "-m", "10"]
        for prefix in TermPrefix.textFields { questArgs += ["-p", ":" + prefix.rawValue] }
        let questQuery = stems.joined(separator: " ")
        let metiersArgs = ["search", "--socket", daemon.socket, query]
        let out = temporary.path + "/cli.out"
        guard try Spawn.run(binaries.metiers, metiersArgs, environment: environment, stdout: out, stderr: out) == 0 else {
            return .unavailable("metiers search failed: \(tail(ofFile: out, lines: 3))")
        }
        var questDB: String?
        var matches = "?"
        for candidate in [db, db + "/XAPIANDB"] {
            if try Spawn.run(quest, ["-d", candidate] + questArgs + [questQuery], environment: environment, stdout: out, stderr: out) == 0 {
                questDB = candidate
                let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
                matches = text.split(separator: "\n").first { $0.contains("matches") }.map { "quest: " + $0.lowercased() } ?? "quest: ?"
                break
            }
        }
        guard let questDB else { return .unavailable("quest cannot open \(db): \(tail(ofFile: out, lines: 2))") }
        let questFull = ["-d", questDB] + questArgs + [questQuery]
        let runs = settings.cliRuns
        var m = Samples(), q = Samples()
        for i in 0..<(runs + 3) {
            let first = i % 2 == 0
            for useQuest in (first ? [false, true] : [true, false]) {
                let t0 = clock.now
                let pid = try useQuest
                    ? Spawn.start(quest, questFull, environment: environment)
                    : Spawn.start(binaries.metiers, metiersArgs, environment: environment)
                let status = Spawn.wait(pid)
                let elapsed = clock.now - t0
                guard status == 0 else { throw BenchError("\(useQuest ? "quest" : "metiers") exited \(status)") }
                if i >= 3 { if useQuest { q.append(elapsed) } else { m.append(elapsed) } }  // 3 warm-up runs
            }
        }
        return .measured(CLIFigures(query: query, metiers: m, quest: q, questDB: questDB == db ? "DB" : "DB/XAPIANDB",
                                    questArguments: questArgs.joined(separator: " ") + " \"\(questQuery)\"", questMatches: matches))
    }

    // MARK: growth

    struct GrowthPoint {
        var size: Int
        var synthetic: Bool
        var words: Int
        var build: Duration
        var indexKiB: Int
        var titles: Samples
        var postings: Samples
        var rssKiB: Int
        var rssAfterQueries: Int
    }

    mutating func measureGrowth(
        size: Int, real: [Card], pools: TextPools, vocabulary: Vocabulary, rankingModel: String, titles: [String], postings: [String]
    ) throws -> GrowthPoint {
        let synthetic = size != real.count
        progress("growth: \(size) \(synthetic ? "synthetic" : "real") cards")
        let root = temporary.path + "/growth-\(size)"
        var words = 0
        var build: Duration = .zero
        do {
            let cards = synthetic ? SyntheticCards.make(count: size, from: real, pools: pools, seed: settings.seed &+ UInt64(size)) : real
            words = SyntheticCards.wordCount(cards)
            let builder = IndexBuilder(logger: logger)
            build = try time { _ = try builder.build(cards: cards, vocabulary: vocabulary, rankingModel: rankingModel, root: root) }
        }
        progress("  built in \(Format.seconds(build.seconds))")
        let indexKiB = directorySizeKiB(root)
        var titleSamples = Samples(), postingSamples = Samples()
        do {
            let index = try SearchIndex(path: root, logger: logger)
            // Warm-up: a few of each, untimed.
            for q in titles.prefix(20) + postings.prefix(5) { _ = try? index.search(SearchRequest(text: q, limit: 10)) }
            for kind in 0..<2 {
                let (queries, cap) = kind == 0 ? (titles, settings.titles) : (postings, settings.postings)
                var samples = Samples()
                let deadline = clock.now + settings.growthBudget
                var k = 0
                while k < cap && (clock.now < deadline || samples.count < 10) {
                    let q = queries[k % queries.count]
                    let t0 = clock.now
                    _ = try? index.search(SearchRequest(text: q, limit: 10))
                    samples.append(clock.now - t0)
                    k += 1
                }
                if kind == 0 { titleSamples = samples } else { postingSamples = samples }
            }
        }
        // The daemon serving it: resident memory after a warm-up of the same queries.
        let daemon = try startDaemon(db: root, name: "growth-\(size)")
        // (About 10 s of work at most: fewer queries for the big corpora.)
        let warm = min(titles.count, settings.growthWarmTitles, max(10, Int(10e6 / max(1, titleSamples.p50))))
        let warmPostings = min(10, max(2, Int(10e6 / max(1, postingSamples.p50))))
        let lines = titles.prefix(warm).enumerated().map { Lines.search(id: $0.offset, query: $0.element, limit: 10) }
            + postings.prefix(warmPostings).enumerated().map { Lines.search(id: warm + $0.offset, query: $0.element, limit: 10) }
        _ = runLoad(socket: daemon.socket, clients: max(1, Machine.cores), lines: lines, total: lines.count)
        let rss = daemon.rssKiB
        let served = lines.count
        stopDaemon(daemon)
        try? FileManager.default.removeItem(atPath: root)
        return GrowthPoint(size: size, synthetic: synthetic, words: words, build: build, indexKiB: indexKiB,
                           titles: titleSamples, postings: postingSamples, rssKiB: rss, rssAfterQueries: served)
    }

    /// Slopes of log(figure) against log(cards) between the smallest and the largest synthetic
    /// corpus (or all sizes when there is only one synthetic).
    func growthSlopes(_ points: [GrowthPoint]) -> (from: Int, to: Int, build: Double, titles: Double, postings: Double, rss: Double)? {
        let synthetic = points.filter(\.synthetic).sorted { $0.size < $1.size }
        let candidates = synthetic.count >= 2 ? synthetic : points.sorted { $0.size < $1.size }
        guard let a = candidates.first, let b = candidates.last, b.size > a.size else { return nil }
        let dx = log(Double(b.size) / Double(a.size))
        func slope(_ fa: Double, _ fb: Double) -> Double { fa > 0 && fb > 0 ? log(fb / fa) / dx : .nan }
        return (a.size, b.size, slope(a.build.seconds, b.build.seconds),
                slope(a.titles.isEmpty ? 0 : a.titles.p50, b.titles.isEmpty ? 0 : b.titles.p50),
                slope(a.postings.isEmpty ? 0 : a.postings.p50, b.postings.isEmpty ? 0 : b.postings.p50),
                slope(Double(a.rssKiB), Double(b.rssKiB)))
    }
}

func directorySizeKiB(_ path: String) -> Int {
    guard let e = FileManager.default.enumerator(atPath: path) else { return 0 }
    var total = 0
    while let name = e.nextObject() as? String {
        var st = stat()
        if lstat(path + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { total += Int(st.st_blocks) * 512 }
    }
    return total / 1024
}
