#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MetiersModel
import MetiersProtocol

/// Why a client command failed, with the exit status the CLI documents: 1 an error answer or
/// unreadable input, 2 `not_found`, 3 no daemon, 4 an answer that is not a response.
public enum ClientFailure: Error, CustomStringConvertible {
    case connection(ConnectionError)
    case undecodable(String)
    case daemon(ProtocolError)
    case input(String)

    public var exitStatus: Int32 {
        switch self {
        case .connection: 3
        case .undecodable: 4
        case .daemon(let error): error.code == .notFound ? 2 : 1
        case .input: 1
        }
    }

    /// The line the CLI prints on standard error.
    public var description: String {
        switch self {
        case .connection(let error): "metiers: \(error)"
        case .undecodable(let reason): "metiers: the daemon's answer is not a response of protocol v\(metiersProtocolVersion): \(reason)"
        case .daemon(let error): "metiers: \(error.code.rawValue): \(error.message)"
        case .input(let message): "metiers: \(message)"
        }
    }
}

extension ClientFailure {
    /// `body`'s value; what it throws becomes a `ClientFailure` (a connection error, or
    /// unreadable input).
    static func catching<T>(_ body: () throws -> T) throws(ClientFailure) -> T {
        do {
            return try body()
        } catch let failure as ClientFailure {
            throw failure
        } catch let error as ConnectionError {
            throw .connection(error)
        } catch {
            throw .input("\(error)")
        }
    }
}

/// The daemon as a client sees it: one request, one decoded response.
public struct DaemonClient: Sendable {
    public let socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// A connection for pipelined work (classify, eval).
    public func connect() throws(ClientFailure) -> MetiersConnection {
        do {
            return try MetiersConnection(path: socketPath)
        } catch {
            throw .connection(error)
        }
    }

    /// Sends `request` on a new connection (retried while a daemon restarts) and returns the
    /// answer line as it came and decoded. An error answer is returned, not thrown.
    public func exchange(_ request: Request) throws(ClientFailure) -> (response: Response, line: [UInt8]) {
        let line: [UInt8]
        do {
            line = try MetiersConnection.exchange(path: socketPath, try request.encoded())
        } catch let error as ConnectionError {
            throw .connection(error)
        } catch {
            throw .input("cannot encode the request: \(error)")
        }
        return (try Self.decode(line), line)
    }

    /// The answer to `request`; an error answer is thrown.
    public func answer(_ request: Request) throws(ClientFailure) -> Response {
        let response = try exchange(request).response
        if let error = response.error { throw .daemon(error) }
        return response
    }

    /// Every card's summary (the `cards` operation).
    public func cards() throws(ClientFailure) -> [Card.Summary] {
        guard case .cards(let body) = try answer(Request(.cards)).body else { return [] }
        return body.cards
    }

    static func decode(_ line: [UInt8]) throws(ClientFailure) -> Response {
        do {
            return try Response.decode(line)
        } catch {
            throw .undecodable("\(error)")
        }
    }
}
