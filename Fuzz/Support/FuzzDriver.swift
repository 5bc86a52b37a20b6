// The libFuzzer driver behind every target's main.swift.
//
// SwiftPM gives each executable its own `main` (on Linux the module's entry point, renamed
// and aliased to main), which shadows libFuzzer's. So each target's top-level code calls
// libFuzzer's driver itself (LLVMFuzzerRunDriver, in the runtime -sanitize=fuzzer links),
// with the command line: `-max_total_time`, `-runs`, corpus directories, crash files to replay.

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_silgen_name("exit")
private func exit(_ status: CInt) -> Never

/// The target's body. libFuzzer calls it from one thread, one input at a time.
nonisolated(unsafe) private var fuzzBody: ([UInt8]) -> Void = { _ in }

/// Runs libFuzzer on `body` with the process's arguments and exits with its status.
/// `body` gets each input's bytes; a crash or a failed precondition in it is a finding.
public func fuzzMain(_ body: @escaping ([UInt8]) -> Void) -> Never {
    fuzzBody = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        fuzzBody(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
    exit(status)
}
