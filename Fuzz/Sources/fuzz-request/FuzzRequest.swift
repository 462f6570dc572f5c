// libFuzzer target: Request.decode on arbitrary bytes (what a client may send on a line).
//
// Properties checked on every input:
// - decoding never traps;
// - a decoded request survives a round trip: its encoding decodes to the same request (a
//   posting of a classify batch that was refused stays refused, with its id: its encoding
//   keeps only the id, so the reason may differ);
// - the response the daemon would send (success, or failure echoing the id that was read)
//   encodes, and decodes back with the same id.
import FuzzSupport
import Foundation
import MetiersProtocol

/// The entry point SwiftPM links as `main`: libFuzzer's driver, on `fuzz`.
@_cdecl("fuzz_request_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzz)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    switch Request.decode(bytes) {
    case .success(let request):
        let encoded: Data
        do { encoded = try request.encoded() } catch { fail("a decoded request does not encode: \(error)\n  \(request)") }
        switch Request.decode(encoded) {
        case .success(let again):
            require(comparable(again) == comparable(request), "round trip changed the request:\n  \(request)\n  \(again)\n  via \(String(decoding: encoded, as: UTF8.self))")
        case .failure(let failure):
            fail("the encoding of a decoded request does not decode: \(failure.error)\n  \(request)\n  via \(String(decoding: encoded, as: UTF8.self))")
        }
        checkResponse(Response.failure(id: request.id, op: request.operation.name, ProtocolError(.internal, "fuzz")), id: request.id)
    case .failure(let failure):
        require(!failure.error.message.isEmpty, "an error without a message: \(failure.error.code)")
        checkResponse(Response.failure(id: failure.id, op: nil, failure.error), id: failure.id)
    }
    return 0
}

/// The request as JSON means it: the reasons of refused postings left out (their encoding
/// keeps only the id), and numbers compared as JSON numbers, by their double value (an id of
/// 2.0 comes back as 2, one of 1.9223372036854774e+17 may come back as an integer).
private func comparable(_ request: Request) -> Request {
    var copy = request
    switch request.id {
    case .int(let i)?: copy.id = .double(Double(i))
    default: break
    }
    guard case .classify(var parameters) = request.operation else { return copy }
    parameters.postings = parameters.postings.map { posting in
        switch posting {
        case .invalid(let id, _): return .invalid(id: id.map(asDouble), ProtocolError(.badRequest, ""))
        case .valid(let id, let title, let description): return .valid(id: id.map(asDouble), title: title, description: description)
        }
    }
    copy.operation = .classify(parameters)
    return copy
}

private func asDouble(_ value: JSONValue) -> JSONValue {
    if case .int(let i) = value { return .double(Double(i)) }
    return value
}

/// The response encodes, and reads back with the same id.
private func checkResponse(_ response: Response, id: RequestID?) {
    let line: Data
    do {
        line = try response.encoded()
    } catch {
        fail("the response does not encode: \(error)\n  \(response)")
    }
    require(!line.contains(UInt8(ascii: "\n")), "a response line holds a newline: \(String(decoding: line, as: UTF8.self))")
    do {
        let back = try Response.decode(line)
        require(sameID(back.id, id), "the id changed on the way: \(String(describing: id)) -> \(String(describing: back.id))")
    } catch {
        fail("the response does not decode: \(error)\n  \(String(decoding: line, as: UTF8.self))")
    }
}

/// Ids compare as JSON numbers: 2.0 may come back as 2.
private func sameID(_ a: RequestID?, _ b: RequestID?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (.string(let x)?, .string(let y)?): return x == y
    case (.int(let x)?, .int(let y)?): return x == y
    case (.double(let x)?, .double(let y)?): return x == y
    case (.int(let x)?, .double(let y)?), (.double(let y)?, .int(let x)?): return Double(x) == y
    default: return false
    }
}
