import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Limits on connections: a flood beyond --max-connections, idle clients, slow-loris clients.
/// The daemon runs with --max-connections 16 --idle-timeout 2.
final class ConnectionLimitTests: HostileTestCase {
    func parse(_ line: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    /// The limit flags are accepted (the other cases run without an unsupported one, on the
    /// default limit, so this case names what is missing).
    func testTheDaemonAcceptsTheLimitFlags() throws {
        XCTAssertEqual(try daemon.unsupportedFlags, [], "metiersd --help does not list these flags")
    }

    /// 16 connections are served; the 17th, 18th and 19th each get one `overloaded` response
    /// and are closed; the 16 are still served; once they close, new ones are accepted again,
    /// 16 at once.
    func testAFloodBeyondMaxConnections() throws {
        try requireFlag("--max-connections")
        let limit = try daemon.maxConnections
        var held: [Wire] = []
        for i in 0..<limit {
            let client = try connect()
            let response = try client.request(#"{"op":"health","id":\#(i)}"#)
            XCTAssertEqual(response.ok, true, "connection \(i + 1) of \(limit): \(response)")
            held.append(client)
        }
        for extra in 0..<3 {
            let client = try connect()
            let ending = client.waitForClose(timeout: 3)
            XCTAssertEqual(ending.lines.count, 1, "connection \(limit + extra + 1): one response, got \(ending.lines)")
            let response = ending.lines.first.flatMap(parse)
            XCTAssertEqual(response?.ok, false)
            XCTAssertEqual(response?.errorCode, "overloaded", "\(ending.lines)")
            XCTAssertNotNil(response?.errorMessage)
            XCTAssertTrue(ending.closed, "connection \(limit + extra + 1) is closed")
        }
        for (i, client) in held.enumerated() {
            let response = try client.request(#"{"op":"search","query":"développeur java","id":"held-\#(i)"}"#)
            XCTAssertEqual(response.firstResultID, "concepteur-developpeur", "held connection \(i) still served: \(response)")
        }
        for client in held { client.close() }
        held.removeAll()

        // The slots come back: within a moment, `limit` new connections are served at once.
        let deadline = Date().addingTimeInterval(5)
        var accepted = 0
        var lastRefusal = ""
        while accepted < limit && Date() < deadline {
            do {
                let client = try connect()
                let response = try client.request(#"{"op":"health"}"#, timeout: 5)
                if response.ok == true {
                    held.append(client)
                    accepted += 1
                } else {
                    lastRefusal = response.outcome
                    usleep(100_000)
                }
            } catch {
                lastRefusal = "\(error)"
                usleep(100_000)
            }
        }
        XCTAssertEqual(accepted, limit, "after the flood closed, only \(accepted) of \(limit) new connections were served (last: \(lastRefusal))")
        for client in held { client.close() }
    }

    /// A flood of 200 connections at once, beyond the limit: every one is answered (served or
    /// `overloaded`) or closed, none hangs, and the daemon keeps serving.
    func testAMassiveFloodIsRefusedCleanly() throws {
        try requireFlag("--max-connections")
        var clients: [Wire] = []
        for _ in 0..<200 {
            do { clients.append(try connect()) } catch { break }
        }
        XCTAssertGreaterThan(clients.count, 100, "the listen backlog takes the flood")
        var overloaded = 0
        var hung = 0
        for client in clients {
            if client.readable(within: 0) || (try? client.send(#"{"op":"health"}"#)) == nil {
                let ending = client.waitForClose(timeout: 3)
                if ending.lines.first.flatMap(parse)?.errorCode == "overloaded" { overloaded += 1 }
                continue
            }
            do {
                let response = try client.readResponse(timeout: 5)
                if response.errorCode == "overloaded" { overloaded += 1 }
            } catch let failure as Wire.Failure where failure == .closed || failure == .reset {
                continue
            } catch {
                hung += 1
            }
        }
        XCTAssertEqual(hung, 0, "connections neither answered nor closed")
        XCTAssertGreaterThanOrEqual(overloaded, clients.count - (try daemon.maxConnections), "the connections beyond the limit are told overloaded")
        for client in clients { client.close() }
    }

    /// A client that connects and sends nothing is disconnected after the idle timeout.
    func testAnIdleClientIsDropped() throws {
        try requireFlag("--idle-timeout")
        let timeout = HostileLimits.idleTimeout
        let client = try connect()
        let ending = client.waitForClose(timeout: timeout + 5)
        XCTAssertTrue(ending.closed, "an idle client is still connected after \(ending.elapsed) s (idle timeout \(timeout) s)")
        XCTAssertGreaterThan(ending.elapsed, timeout * 0.5, "dropped after \(ending.elapsed) s: too early for an idle timeout of \(timeout) s")
        XCTAssertLessThan(ending.elapsed, timeout + 3)
    }

    /// A client idle after an answered request is dropped too.
    func testAClientIdleAfterARequestIsDropped() throws {
        try requireFlag("--idle-timeout")
        let timeout = HostileLimits.idleTimeout
        let client = try connect()
        XCTAssertEqual(try client.request(#"{"op":"health"}"#).ok, true)
        let ending = client.waitForClose(timeout: timeout + 5)
        XCTAssertTrue(ending.closed, "still connected after \(ending.elapsed) s")
        XCTAssertTrue(ending.lines.allSatisfy { parse($0)?.ok != true }, "nothing but an error before the close: \(ending.lines)")
    }

    /// A client that half-sent a request and went quiet is dropped.
    func testAClientSilentMidRequestIsDropped() throws {
        try requireFlag("--idle-timeout")
        let client = try connect()
        try client.write(Array(#"{"op":"search","query":"java"#.utf8))
        let ending = client.waitForClose(timeout: HostileLimits.idleTimeout + 5)
        XCTAssertTrue(ending.closed, "still connected after \(ending.elapsed) s")
    }

    /// A client that sends a request every half second is never idle: it is not dropped.
    func testAnActiveClientIsNotDropped() throws {
        try requireFlag("--idle-timeout")
        let client = try connect()
        let until = Date().addingTimeInterval(HostileLimits.idleTimeout * 2.5)
        var count = 0
        while Date() < until {
            let response = try client.request(#"{"op":"health","id":\#(count)}"#)
            XCTAssertEqual(response["id"] as? Int, count)
            count += 1
            usleep(500_000)
        }
        XCTAssertGreaterThan(count, 8)
    }

    /// Slow loris: a byte every 500 ms, so that no request completes within the idle timeout;
    /// the daemon disconnects it before the request is complete.
    func testASlowLorisClientIsDropped() throws {
        try requireFlag("--idle-timeout")
        let timeout = HostileLimits.idleTimeout
        let client = try connect()
        let bytes = Array(#"{"op":"health","id":"slow-loris-request"}"#.utf8) + [0x0A]  // 40 bytes: 20 s
        let started = Date()
        var dropped = false
        var answered = false
        for byte in bytes {
            do {
                try client.write([byte], timeout: 2)
            } catch {
                dropped = true
                break
            }
            if client.readable(within: 0.5) {
                let ending = client.waitForClose(timeout: 0.2)
                if ending.lines.contains(where: { parse($0)?.ok == true }) { answered = true }
                if ending.closed {
                    dropped = true
                    break
                }
            }
            if Date().timeIntervalSince(started) > timeout + 5 { break }
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertFalse(answered, "the slow-loris request was served")
        XCTAssertTrue(dropped, "a client sending a byte per 500 ms is still connected after \(elapsed) s (idle timeout \(timeout) s)")
        XCTAssertLessThan(elapsed, timeout + 5)
    }

    /// Idle clients holding every slot: new clients are served again once they are dropped.
    func testIdleClientsDoNotHoldTheSlotsForever() throws {
        try requireFlag("--idle-timeout")
        try requireFlag("--max-connections")
        let limit = try daemon.maxConnections
        let idle = try (0..<limit).map { _ in try connect() }
        usleep(UInt32((HostileLimits.idleTimeout + 1.5) * 1_000_000))
        for client in idle {
            XCTAssertTrue(client.waitForClose(timeout: 2).closed, "an idle slot holder was not dropped")
        }
        let client = try connect()
        XCTAssertEqual(try client.request(#"{"op":"health"}"#).ok, true)
    }
}
