import Foundation
import Logging
import MetiersProtocol
import MetiersSearch
import MetiersServer
import MetiersText
import MetiersTestSupport
import XCTest

/// The request handler without a socket: lines in, lines out.
final class RequestHandlerTests: XCTestCase {
    var handler: RequestHandler!
    /// The version of the index the handler serves, which every response names.
    var indexVersion = ""

    override func setUpWithError() throws {
        let index = try TestIndex.searchIndex()
        indexVersion = index.indexVersion
        handler = RequestHandler(index: index, defaultLimit: 7, logger: Logger(label: "test"))
    }

    func respond(_ line: String) throws -> [String: Any] {
        let bytes = handler.respond(toLine: Array(line.utf8))
        XCTAssertFalse(bytes.contains(UInt8(ascii: "\n")), "a response is one line")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    func errorCode(_ response: [String: Any]) -> String? {
        (response["error"] as? [String: Any])?["code"] as? String
    }

    func testSearchAnswersRankedResultsWithTheId() throws {
        let r = try respond(#"{"v":1,"id":"q1","op":"search","query":"développeur java"}"#)
        XCTAssertEqual(r["ok"] as? Bool, true)
        XCTAssertEqual(r["id"] as? String, "q1")
        XCTAssertEqual(r["v"] as? Int, 1)
        XCTAssertEqual(r["op"] as? String, "search")
        XCTAssertEqual(r["index_version"] as? String, indexVersion)
        let results = try XCTUnwrap(r["results"] as? [[String: Any]])
        XCTAssertEqual(results.first?["id"] as? String, "concepteur-developpeur")
        XCTAssertLessThanOrEqual(results.count, 7, "the configured default limit applies")
        // Each result says what the card says: its name, famille, sous-famille and ROME codes
        // are the `cards` summary's, and what matched is a word and the field it was found in.
        let cards = try XCTUnwrap(try respond(#"{"op":"cards"}"#)["cards"] as? [[String: Any]])
        let summaries = Dictionary(uniqueKeysWithValues: cards.map { ($0["id"] as? String ?? "", $0) })
        for result in results {
            let id = try XCTUnwrap(result["id"] as? String)
            let summary = try XCTUnwrap(summaries[id], "\(id) is no card")
            for key in ["name", "famille"] {
                XCTAssertEqual(result[key] as? String, try XCTUnwrap(summary[key] as? String), "\(id) \(key)")
            }
            // A famille without sous-familles writes null, in both.
            XCTAssertTrue(result.keys.contains("sous_famille") && summary.keys.contains("sous_famille"), id)
            XCTAssertEqual(result["sous_famille"] as? String, summary["sous_famille"] as? String, id)
            XCTAssertEqual(result["rome"] as? [String], try XCTUnwrap(summary["rome"] as? [String]), id)
            let matched = try XCTUnwrap(result["matched"] as? [[String: String]], id)
            XCTAssertFalse(matched.isEmpty, id)
            XCTAssertTrue(matched.allSatisfy { !($0["term"] ?? "").isEmpty && !($0["field"] ?? "").isEmpty }, "\(matched)")
        }
        let scores = results.compactMap { $0["score"] as? Double }
        XCTAssertEqual(scores, scores.sorted(by: >))
    }

    func testRomeFieldsAndLookups() throws {
        let web = try respond(#"{"op":"search","query":"développeur web","limit":3}"#)
        let first = try XCTUnwrap((web["results"] as? [[String: Any]])?.first)
        let appellation = try XCTUnwrap(first["rome_appellation"] as? [String: Any])
        XCTAssertEqual(appellation["code_rome"] as? String, "M1855")
        XCTAssertEqual(appellation["code_rome_parent"] as? String, "M1805")
        XCTAssertNotNil(appellation["code_ogr"] as? String)
        XCTAssertNil(web["nearest_rome"], "an in-scope answer names no ROME métier outside")

        let bakery = try respond(#"{"op":"search","query":"boulanger"}"#)
        XCTAssertEqual(bakery["match"] as? String, "none")
        let nearest = try XCTUnwrap(bakery["nearest_rome"] as? [String: Any])
        XCTAssertEqual(nearest["code_rome"] as? String, "D1102")
        XCTAssertEqual(nearest["label"] as? String, "Boulanger / Boulangère")

        let batch = try respond(#"{"op":"classify","postings":[{"id":1,"title":"Boulanger H/F"},{"id":2,"title":"Développeur web"}]}"#)
        let items = try XCTUnwrap(batch["items"] as? [[String: Any]])
        XCTAssertEqual((items[0]["nearest_rome"] as? [String: Any])?["code_rome"] as? String, "D1102")
        XCTAssertNil(items[1]["nearest_rome"])
        XCTAssertEqual(((items[1]["results"] as? [[String: Any]])?.first?["rome_appellation"] as? [String: Any])?["code_rome"] as? String, "M1855")

        let filtered = try respond(#"{"op":"classify","postings":[{"title":"Développeur"}],"rome":["M1855"]}"#)
        let ids = ((filtered["items"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        XCTAssertEqual(ids, ["concepteur-developpeur"], "a fine code filters to the card its titles extend")

        let lookup = try respond(#"{"op":"rome","code":"m1805"}"#)
        XCTAssertEqual(lookup["ok"] as? Bool, true)
        let rome = try XCTUnwrap(lookup["rome"] as? [String: Any])
        XCTAssertEqual(rome["code"] as? String, "M1805")
        XCTAssertTrue((rome["cards"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == "concepteur-developpeur" })
        XCTAssertTrue((rome["fine_codes"] as? [[String: Any]] ?? []).contains { $0["code"] as? String == "M1855" })
        XCTAssertGreaterThan((rome["appellations"] as? [Any])?.count ?? 0, 50)

        XCTAssertEqual(errorCode(try respond(#"{"op":"rome","code":"A9999"}"#)), "not_found")
        XCTAssertEqual(errorCode(try respond(#"{"op":"rome","code":"boulanger"}"#)), "bad_request")
        XCTAssertEqual(errorCode(try respond(#"{"op":"rome"}"#)), "bad_request")
    }

    func testMobilityAnswersTheGraphAroundACard() throws {
        let r = try respond(#"{"op":"mobility","card":"concepteur-developpeur","steps":1}"#)
        XCTAssertEqual(r["ok"] as? Bool, true, "\(r)")
        let nodes = r["nodes"] as? [[String: Any]] ?? []
        XCTAssertEqual(nodes.first?["id"] as? String, "concepteur-developpeur")
        XCTAssertEqual(nodes.first?["direction"] as? String, "center")
        XCTAssertTrue(nodes.dropFirst().allSatisfy { ($0["distance"] as? Int) == 1 })
        XCTAssertTrue(nodes.contains { $0["direction"] as? String == "origin" })
        XCTAssertTrue(nodes.contains { $0["direction"] as? String == "evolution" })
        let ids = Set(nodes.compactMap { $0["id"] as? String })
        let edges = r["edges"] as? [[String: String]] ?? []
        XCTAssertFalse(edges.isEmpty)
        XCTAssertTrue(edges.allSatisfy { ids.contains($0["source"] ?? "") && ids.contains($0["target"] ?? "") })
        let wider = try respond(#"{"op":"mobility","card":"concepteur-developpeur"}"#)
        XCTAssertEqual(wider["steps"] as? Int, 2)
        XCTAssertGreaterThan((wider["nodes"] as? [Any])?.count ?? 0, nodes.count)
        XCTAssertEqual(errorCode(try respond(#"{"op":"mobility","card":"nobody"}"#)), "not_found")
        XCTAssertEqual(errorCode(try respond(#"{"op":"mobility","card":"concepteur-developpeur","steps":0}"#)), "bad_request")
    }

    func testMapShowAndHealth() throws {
        let map = try respond(#"{"op":"map","title":"Ingénieur d'affaires","id":7}"#)
        XCTAssertEqual(map["id"] as? Int, 7)
        XCTAssertEqual((map["results"] as? [[String: Any]])?.first?["id"] as? String, "commercial")

        let show = try respond(#"{"op":"show","card":"directeur-de-projet"}"#)
        let card = try XCTUnwrap(show["card"] as? [String: Any])
        XCTAssertEqual(card["rome"] as? [String], ["M1803"])
        XCTAssertEqual(card["famille"] as? String, "Management et gestion des engagements")
        XCTAssertNotNil(card["passerelles"])

        let health = try respond(#"{"op":"health"}"#)
        XCTAssertEqual(health["status"] as? String, "serving")
        XCTAssertEqual(health["protocol_version"] as? Int, 1)
        XCTAssertEqual(health["card_count"] as? Int, 36)
        XCTAssertNotNil(health["uptime_seconds"] as? Double)
    }

    func testErrorsHaveStableCodes() throws {
        let cases: [(String, String)] = [
            ("not json", "bad_json"),
            ("{\"op\":\"search\",\"query\":\"x\"", "bad_json"),
            ("[1,2]", "bad_request"),
            (#"{"query":"x"}"#, "bad_request"),
            (#"{"op":"dance"}"#, "unknown_op"),
            (#"{"op":"search"}"#, "bad_request"),
            (#"{"op":"search","query":42}"#, "bad_request"),
            (#"{"op":"search","query":"x","limit":0}"#, "bad_request"),
            (#"{"op":"search","query":"x","limit":1000000}"#, "bad_request"),
            (#"{"op":"search","query":"x","offset":-1}"#, "bad_request"),
            (#"{"op":"search","query":"x","limit":2.5}"#, "bad_request"),
            (#"{"op":"search","query":"x","limt":2}"#, "bad_request"),
            (#"{"op":"search","query":"x","id":{"a":1}}"#, "bad_request"),
            (#"{"v":2,"op":"health"}"#, "unsupported_version"),
            (#"{"op":"search","query":"  le la de "}"#, "empty_query"),
            (#"{"op":"search","query":"chef \"de projet"}"#, "query_syntax"),
            (#"{"op":"show","card":"boulanger"}"#, "not_found"),
            (#"{"op":"show"}"#, "bad_request"),
        ]
        for (line, code) in cases {
            let r = try respond(line)
            XCTAssertEqual(r["ok"] as? Bool, false, line)
            XCTAssertEqual(errorCode(r), code, line)
            XCTAssertFalse(((r["error"] as? [String: Any])?["message"] as? String ?? "").isEmpty, line)
        }
    }

    /// Query limits and JSON depth: each refused with its own code, the message naming the limit
    /// and the value; the id and op are echoed; a posting over a limit fails alone.
    func testCostBoundsHaveTheirOwnCodes() throws {
        let index = try TestIndex.searchIndex()
        handler = RequestHandler(
            index: index, queryLimits: QueryLimits(maxPhrases: 1, maxPhraseWords: 2, maxExclusions: 1, maxTerms: 3), logger: Logger(label: "test"))
        let cases: [(String, String, String)] = [
            (#"{"id":1,"op":"search","query":"\"java\" \"sql\""}"#, "too_many_phrases", "2 quoted phrases; at most 1"),
            (#"{"id":2,"op":"search","query":"\"chef de projet web\""}"#, "phrase_too_long", "4 words; at most 2"),
            (#"{"id":6,"op":"map","title":"java sql php perl"}"#, "too_many_terms", "4 distinct words; at most 3"),
            (#"{"id":3,"op":"search","query":"java -php -perl"}"#, "too_many_exclusions", "2 -word exclusions; at most 1"),
            (#"{"id":4,"op":"search","query":"java sql php perl"}"#, "too_many_terms", "4 distinct words; at most 3"),
            (#"{"id":5,"op":"search","query":"java","x":"# + String(repeating: "[", count: 40) + "}", "bad_request", "at most 32 levels"),
        ]
        for (line, code, words) in cases {
            let r = try respond(line)
            XCTAssertEqual(errorCode(r), code, line)
            XCTAssertTrue(((r["error"] as? [String: Any])?["message"] as? String ?? "").contains(words), "\(r)")
        }
        XCTAssertEqual(try respond(#"{"id":"q","op":"search","query":"développeur java"}"#)["ok"] as? Bool, true)
        let batch = try respond(#"{"op":"classify","postings":[{"id":1,"title":"DBA Oracle"},{"id":2,"title":"java sql php perl"},{"id":3,"title":"java -a -b"}]}"#)
        let items = try XCTUnwrap(batch["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["ok"] as? Bool }, [true, false, true], "a posting's dashes are no exclusions")
        XCTAssertEqual(errorCode(items[1]), "too_many_terms")
    }

    /// The query syntax is a search box's. A job title (`map`) and a posting (`classify`) are
    /// read as written: a job board's « guillemets », a stray quote or a dash before a word are
    /// punctuation, not a phrase to require, a syntax error or an exclusion.
    func testTitlesAndPostingsAreReadAsWritten() throws {
        let body = "vous recueillez les besoins des métiers, rédigez les user stories et priorisez le backlog."
        let r = try respond(#"{"op":"classify","postings":["# + [
            #"{"id":1,"title":"Product Owner","description":"Au sein d’une « squad » agile, \#(body)"}"#,
            #"{"id":2,"title":"Product Owner","description":"Au sein d’une squad agile, \#(body)"}"#,
            #"{"id":3,"title":"Développeur \"Java","description":"Vous développez nos API et maintenez la plateforme."}"#,
            #"{"id":4,"title":"Développeur Java -Spring","description":"Vous développez nos API et maintenez la plateforme."}"#,
        ].joined(separator: ",") + "]}")
        let items = try XCTUnwrap(r["items"] as? [[String: Any]])
        let firsts = items.map { ($0["results"] as? [[String: Any]])?.first?["id"] as? String }
        XCTAssertEqual(items.map { $0["ok"] as? Bool }, [true, true, true, true])
        XCTAssertEqual(firsts[0], firsts[1], "« squad » is the word squad")
        XCTAssertNotNil(firsts[0])
        XCTAssertEqual(firsts[2], "concepteur-developpeur")
        XCTAssertEqual(firsts[3], "concepteur-developpeur")
        func first(_ line: String) throws -> String? { (try respond(line)["results"] as? [[String: Any]])?.first?["id"] as? String }
        XCTAssertEqual(try first(#"{"op":"map","title":"\"Consultant MOA\""}"#), try first(#"{"op":"map","title":"Consultant MOA"}"#))
        XCTAssertNotNil(try first(#"{"op":"map","title":"Consultant MOA"}"#))
        // search keeps its syntax: the phrase is required, an unbalanced quote refused.
        XCTAssertNil(try first(#"{"op":"search","query":"\"Consultant MOA\""}"#))
        XCTAssertEqual(errorCode(try respond(#"{"op":"search","query":"Développeur \"Java"}"#)), "query_syntax")
    }

    func testTheIdIsEchoedOnErrorsWhenReadable() throws {
        let r = try respond(#"{"id":"abc","op":"dance"}"#)
        XCTAssertEqual(r["id"] as? String, "abc")
        XCTAssertEqual(r["op"] as? String, nil)
        let unknownField = try respond(#"{"id":3,"op":"search","query":"x","foo":1}"#)
        XCTAssertEqual(unknownField["id"] as? Int, 3)
        XCTAssertTrue(((unknownField["error"] as? [String: Any])?["message"] as? String ?? "").contains("foo"))
    }

    /// A job board's short posting, a title and one sentence, is read as a posting: its title
    /// decides, so another trade's title is answered "none" and an IT one its card.
    func testShortPostingsAreReadByTheirTitle() throws {
        let body = #""description":"Vous assurez les soins, la surveillance des patients et la coordination avec l'équipe médicale.""#
        let r = try respond(#"{"op":"classify","postings":["# + [
            #"{"id":1,"title":"Infirmier",\#(body)}"#,
            #"{"id":2,"title":"Comptable","description":"Saisie et contrôle des écritures, rapprochements bancaires."}"#,
            #"{"id":3,"title":"Chef de projet","description":"Pilotage du planning et du budget."}"#,
            #"{"id":4,"title":"Développeur Java","description":"Vous développez les nouvelles fonctionnalités."}"#,
        ].joined(separator: ",") + "]}")
        let items = try XCTUnwrap(r["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["match"] as? String == "none" }, [true, true, false, false])
        XCTAssertEqual((items[0]["nearest_rome"] as? [String: Any])?["code_rome"] as? String, "J1505")
        XCTAssertEqual(items.map { ($0["results"] as? [[String: Any]])?.first?["id"] as? String }, [nil, nil, "chef-de-projet", "concepteur-developpeur"])
    }

    func testClassifyAnswersEveryPostingInOrderAndFailsBadOnesAlone() throws {
        let r = try respond(#"{"op":"classify","id":"b1","postings":[{"id":"a","title":"Développeur Java"},{"id":"b"},{"id":"c","title":3},"oops",{"id":"e","description":"administration des serveurs Linux, sauvegardes et supervision"},{"id":"f","title":"boulanger"}]}"#)
        XCTAssertEqual(r["ok"] as? Bool, true)
        let items = try XCTUnwrap(r["items"] as? [[String: Any]])
        XCTAssertEqual(items.count, 6)
        XCTAssertEqual(items.map { $0["ok"] as? Bool }, [true, false, false, false, true, true])
        XCTAssertEqual(items[0]["id"] as? String, "a")
        XCTAssertEqual((items[0]["results"] as? [[String: Any]])?.first?["id"] as? String, "concepteur-developpeur")
        XCTAssertEqual((items[1]["error"] as? [String: Any])?["code"] as? String, "bad_request")
        XCTAssertEqual((items[4]["results"] as? [[String: Any]])?.first?["id"] as? String, "administrateur-d-infrastructure")
        XCTAssertEqual(items[5]["match"] as? String, "none")
        XCTAssertEqual(r["index_version"] as? String, indexVersion)
        XCTAssertEqual(r["v"] as? Int, 1)

        let tooMany = "{\"op\":\"classify\",\"postings\":[" + Array(repeating: #"{"title":"x"}"#, count: 1001).joined(separator: ",") + "]}"
        XCTAssertEqual(errorCode(try respond(tooMany)), "bad_request")
    }

    func testFiltersAndFacets() throws {
        let r = try respond(#"{"op":"search","query":"chef de projet","facets":true,"famille":"Production","limit":20}"#)
        let results = try XCTUnwrap(r["results"] as? [[String: Any]])
        XCTAssertFalse(results.isEmpty)
        XCTAssertTrue(results.allSatisfy { $0["famille"] as? String == "Production" })
        let facets = try XCTUnwrap(r["facets"] as? [String: [String: Int]])
        XCTAssertEqual(facets["famille"]?.keys.sorted(), ["Production"])
        let byRome = try respond(#"{"op":"search","query":"chef de projet","rome":["M1803"],"limit":20}"#)
        XCTAssertTrue((byRome["results"] as? [[String: Any]] ?? []).allSatisfy { ($0["rome"] as? [String])?.contains("M1803") ?? false })
        XCTAssertEqual(errorCode(try respond(#"{"op":"search","query":"x","famille":[1]}"#)), "bad_request")
    }

    func testSimilarCardsAndStats() throws {
        let r = try respond(#"{"op":"similar","card":"chef-de-projet","limit":3}"#)
        let results = try XCTUnwrap(r["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 3)
        XCTAssertFalse(results.contains { $0["id"] as? String == "chef-de-projet" })
        XCTAssertFalse((results[0]["shared_terms"] as? [String] ?? []).isEmpty)
        let stats = try XCTUnwrap(try respond(#"{"op":"stats"}"#)["stats"] as? [String: Any])
        XCTAssertNotNil((stats["requests"] as? [String: Int])?["similar"])
        let cards = try XCTUnwrap(try respond(#"{"op":"cards"}"#)["cards"] as? [[String: Any]])
        XCTAssertEqual(cards.count, 36)
    }

    func testSuggestAnswersTitlesWithTheirCards() throws {
        let r = try respond(#"{"id":7,"op":"suggest","query":"chef de pro","limit":3}"#)
        XCTAssertEqual(r["ok"] as? Bool, true, "\(r)")
        XCTAssertEqual(r["op"] as? String, "suggest")
        XCTAssertEqual(r["index_version"] as? String, indexVersion)
        let suggestions = try XCTUnwrap(r["suggestions"] as? [[String: Any]])
        XCTAssertEqual(suggestions.count, 3)
        XCTAssertEqual(suggestions[0]["card"] as? String, "chef-de-projet")
        XCTAssertEqual(suggestions[0]["source"] as? String, "referentiel")
        for s in suggestions {
            // Every key is written, null included.
            XCTAssertEqual(Set(s.keys), ["title", "card", "famille", "rome", "source"], "\(s)")
        }
        // A title of another trade: card and famille null, its ROME code.
        let bakery = try XCTUnwrap((try respond(#"{"op":"suggest","query":"boulang"}"#)["suggestions"] as? [[String: Any]])?.first)
        XCTAssertTrue(bakery["card"] is NSNull)
        XCTAssertTrue(bakery["famille"] is NSNull)
        XCTAssertEqual(bakery["rome"] as? String, "D1102")
        XCTAssertEqual(bakery["source"] as? String, "rome")
        // The default limit is 8, whatever the daemon's search default.
        XCTAssertEqual((try respond(#"{"op":"suggest","query":"d"}"#)["suggestions"] as? [[String: Any]])?.count, 8)
    }

    func testSuggestRefusesWhatItCannotAnswer() throws {
        let long = String(repeating: "a", count: 201)
        for (line, code) in [
            (#"{"op":"suggest"}"#, "bad_request"),
            (#"{"op":"suggest","query":3}"#, "bad_request"),
            (#"{"op":"suggest","query":"   "}"#, "empty_query"),
            (#"{"op":"suggest","query":"?!"}"#, "empty_query"),
            ("{\"op\":\"suggest\",\"query\":\"\(long)\"}", "bad_request"),
            (#"{"op":"suggest","query":"dev","limit":0}"#, "bad_request"),
            (#"{"op":"suggest","query":"dev","limit":21}"#, "bad_request"),
            (#"{"op":"suggest","query":"dev","limit":"8"}"#, "bad_request"),
            (#"{"op":"suggest","query":"dev","offset":2}"#, "bad_request"),
        ] {
            XCTAssertEqual(errorCode(try respond(line)), code, line)
        }
        XCTAssertEqual(try respond(#"{"op":"suggest","query":"\#(String(repeating: "a", count: 200))"}"#)["ok"] as? Bool, true)
    }

    func testInvalidUTF8IsBadJSON() throws {
        let bytes = handler.respond(toLine: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D])
        let r = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        XCTAssertEqual(errorCode(r), "bad_json")
    }

    func testARequestJSONCannotWriteIsAnErrorNotAnEmptyLine() {
        XCTAssertThrowsError(try Request(id: .double(.nan), .cards).encoded())
        XCTAssertThrowsError(try Request(id: .double(.infinity), .health).encoded())
    }

    func testRequestsRoundTripThroughTheProtocolTypes() throws {
        let request = Request(id: .string("x"), .search(SearchParameters(text: "chef de projet", limit: 3)))
        guard case .success(let decoded) = Request.decode(try request.encoded()) else { return XCTFail("decode failed") }
        XCTAssertEqual(decoded, request)
        let response = handler.respond(to: request)
        guard case .search(let body) = response.body else { return XCTFail("not a search response: \(response)") }
        XCTAssertEqual(body.results.count, 3)
        let line = try response.encoded()
        let roundTripped = try Response.decode(line)
        XCTAssertEqual(roundTripped.id, .string("x"))
        XCTAssertEqual(try roundTripped.encoded(), line)
        let suggest = Request(id: .int(2), .suggest(query: "dév web", limit: 4))
        guard case .success(let again) = Request.decode(try suggest.encoded()) else { return XCTFail("decode failed") }
        XCTAssertEqual(again, suggest)
    }

    /// Every operation's response decodes by its `op` and encodes back to the same bytes.
    func testEveryResponseRoundTripsByteForByte() throws {
        let lines = [
            #"{"op":"search","query":"développeur java","explain":true,"facets":true}"#, #"{"op":"search","query":"boulanger"}"#,
            #"{"op":"map","title":"Ingénieur d'affaires","id":"m"}"#,
            #"{"op":"classify","postings":[{"id":"a","title":"DBA Oracle"},{"id":2,"description":"Support N1"},{"id":"c"}]}"#,
            #"{"op":"show","card":"concepteur-developpeur"}"#, #"{"op":"similar","card":"concepteur-developpeur","limit":3}"#,
            #"{"op":"cards"}"#, #"{"op":"rome","code":"M1805"}"#, #"{"op":"suggest","query":"boulang","limit":3}"#, #"{"op":"suggest","query":"chef de pro"}"#, #"{"op":"health","id":1}"#, #"{"op":"stats"}"#, #"{"op":"show","card":"nobody"}"#, #"{"op":"dance"}"#,
        ]
        for line in lines {
            let bytes = handler.respond(toLine: Array(line.utf8))
            let response = try Response.decode(bytes)
            XCTAssertEqual(String(decoding: try response.encoded(), as: UTF8.self), String(decoding: bytes, as: UTF8.self), line)
        }
    }
}
