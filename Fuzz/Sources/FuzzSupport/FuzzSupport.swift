// What every fuzz target shares: running libFuzzer's driver from the target's entry point, and
// checking properties in a way that survives an -O build.
import CFuzzerDriver

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs libFuzzer's driver on `body` (a target's `LLVMFuzzerTestOneInput`). SwiftPM renames each
/// executable's entry point to `<target>_main`, so each target calls this from there.
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, body)
}

/// Checks a property of the code under test: on failure, says what failed on stderr (an -O
/// build drops precondition messages) and aborts, which libFuzzer reports as a crash.
public func require(_ condition: Bool, _ message: @autoclosure () -> String = "the property does not hold", file: StaticString = #fileID, line: UInt = #line) {
    if !condition {
        fail(message(), file: file, line: line)
    }
}

/// Says what failed on stderr and aborts.
public func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    let text = Array("fuzz property failed at \(file):\(line): \(message)\n".utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    abort()
}
