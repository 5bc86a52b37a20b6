// hepabus-bench: HepaBus's benchmarks (not timed tests). They print figures,
// the last line of stdout always one JSON object, and exit non-zero only when
// a run failed, never because a target was missed: the figures are the result.
//
// Plain CommandLine parsing: ArgumentParser is not a dependency of this target.
import Foundation
import Glibc
import Modbus

let usage = """
    usage: hepabus-bench transport [--transactions N] [--rounds R] [--json]
                                   [--transports rtu,tcp] [--impls c-libmodbus,swift-client,swift-bus-actor,swift-bus-batch]
                                   [--placement same-cpu|split|none] [--c-bench PATH]
           hepabus-bench client-swift rtu PATH N [--mode swift-client|swift-bus-actor|swift-bus-batch]
           hepabus-bench client-swift tcp HOST PORT N [--mode ...]
           hepabus-bench serve
           hepabus-bench reaction [--trips N] [--rows SR-2,SR-5] [--json]
           hepabus-bench bus-efficiency [--seconds S] [--saturated [--hepabus PATH]] [--json]
           hepabus-bench soak [--seconds S] [--interval I] [--hepabus PATH] [--json]
           hepabus-bench decoder [--bytes N] [--rounds R] [--chunk C] [--json]

    transport     Serves a pty (RTU) and 127.0.0.1 (TCP) in this process and measures
                  transactions/s and CPU µs per transaction of reading 10 holding
                  registers, with bare libmodbus (bare-libmodbus-bench, found next to
                  this executable) and the Swift stack, each client in its own child
                  process, ROUNDS rounds alternating; prints the medians and the
                  Swift/C ratios. Defaults: 20000 transactions, 5 rounds, both transports.
                  --placement: same-cpu (default) pins the servers and the clients to one
                  CPU, split to two, none leaves it to the scheduler (noisy).
                  --json prints only the JSON object (otherwise a table, then the JSON line).
    client-swift  One Swift client run against a running server; prints one JSON line
                  (what `transport` runs in its children).
    serve         Only the servers, until interrupted, for profiling one client by hand.
    reaction      The simulated `bal` circuit (wire time emulated, 115200 8E1) under the real
                  stack (CircuitRuntime + Supervisor, the measured row's persistence zero), in
                  treatment; provokes every row SR-1…SR-17 (or --rows) N times each (default
                  20), recovering in between, and reports due-to-safe, trip-to-safe and
                  imposed-to-safe times (p50, p99, max; to the alarm for alarm-only rows)
                  against SAFETY.md's target.
    bus-efficiency  The same circuit treating at nominal poll rates for S seconds (default 10);
                  per bus: achieved transactions/s, modelled wire time at the bus's settings,
                  line utilisation and the share of the nominal schedule that ran.
                  --saturated polls every signal every 10 ms instead, so the line is the limit:
                  efficiency = the share of the theoretical maximum for the frame mix achieved.
    soak          The same circuit treating for S seconds (default 600) with the journal on and
                  the simulator in a child process (hepabus simulate, found next to this
                  executable): CPU share of one core and resident memory every I seconds
                  (default 10), the memory trend after warm-up.
    decoder       The sniffer's RTU frame decoder alone: bytes/s on N bytes (default 1000000)
                  of seeded random noise and of valid traffic, fed in C-byte chunks (default 64)
                  stamped at line rate, median of R rounds (default 3), against 10x the line
                  rate of a busy 115200 Bd line; CRC bytes a byte measures its work.
    """

/// Exits with a usage error.
func usageError(_ message: String) -> Never {
    printError("hepabus-bench: \(message)\n\n\(usage)")
    exit(2)
}

func positiveInt(_ text: String?, _ what: String) -> Int {
    guard let text, let n = Int(text), n > 0 else { usageError("\(what) must be a positive integer") }
    return n
}

/// `transport` subcommand.
func runTransport(_ args: ArraySlice<String>) -> Int32 {
    var bench = TransportBenchmark()
    var jsonOnly = false
    var rest = args
    while let arg = rest.popFirst() {
        switch arg {
        case "--transactions": bench.transactions = positiveInt(rest.popFirst(), "--transactions")
        case "--rounds": bench.rounds = positiveInt(rest.popFirst(), "--rounds")
        case "--json": jsonOnly = true
        case "--placement":
            guard let name = rest.popFirst(), let p = Placement(rawValue: name) else {
                usageError("--placement takes \(Placement.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            bench.placement = p
        case "--c-bench":
            guard let path = rest.popFirst() else { usageError("--c-bench needs a path") }
            bench.cProgram = path
        case "--transports":
            let names = (rest.popFirst() ?? "").split(separator: ",").map(String.init)
            guard !names.isEmpty, names.allSatisfy({ $0 == "rtu" || $0 == "tcp" }) else { usageError("--transports takes rtu and/or tcp") }
            bench.transports = names
        case "--impls":
            let impls = (rest.popFirst() ?? "").split(separator: ",").map { Implementation(name: String($0)) }
            guard !impls.isEmpty, impls.allSatisfy({ $0 != nil }) else { usageError("unknown implementation in --impls") }
            bench.implementations = impls.compactMap { $0 }
        case "-h", "--help":
            print(usage)
            return 0
        default: usageError("unknown option \(arg)")
        }
    }
    do {
        let report = try bench.run()
        if !jsonOnly { print(report.table + "\n") }
        print(report.json.encoded)
        return report.succeeded ? 0 : 1
    } catch {
        printError("hepabus-bench: \(error)")
        return 1
    }
}

/// `client-swift` subcommand.
func runSwiftClient(_ args: ArraySlice<String>) async -> Int32 {
    var positional: [String] = []
    var mode = SwiftMode.client
    var rest = args
    while let arg = rest.popFirst() {
        if arg == "--mode" {
            guard let name = rest.popFirst(), let m = SwiftMode(rawValue: name) else { usageError("--mode takes one of \(SwiftMode.allCases.map(\.rawValue))") }
            mode = m
        } else {
            positional.append(arg)
        }
    }
    let transport: BenchTransport
    let n: Int
    switch positional.first {
    case "rtu" where positional.count == 3:
        transport = .rtu(path: positional[1])
        n = positiveInt(positional[2], "N")
    case "tcp" where positional.count == 4:
        guard let port = UInt16(positional[2]), port > 0 else { usageError("PORT must be 1-65535") }
        transport = .tcp(host: positional[1], port: port)
        n = positiveInt(positional[3], "N")
    default:
        usageError("client-swift takes rtu PATH N or tcp HOST PORT N")
    }
    do {
        let sample = try await SwiftClientBench.run(mode: mode, transport: transport, transactions: n)
        print(sample.jsonLine)
        fflush(nil)  // nil: every stream (stdout itself is not concurrency-safe to name)
        return sample.errors > 0 ? 1 : 0
    } catch {
        printError("hepabus-bench client-swift: \(error)")
        return 2
    }
}

/// `serve` subcommand: the benchmark's servers alone.
func runServe() -> Never {
    do {
        let servers = try BenchServers()
        let rtu = servers.rtu.arguments.joined(separator: " ")
        let tcp = servers.tcp.arguments.joined(separator: " ")
        print("\(rtu)\n\(tcp)")
        print("(as root any client may reopen the pty; otherwise ModbusClient's TIOCEXCL outlives a Swift client: restart serve)")
        fflush(nil)  // nil: every stream (stdout itself is not concurrency-safe to name)
        while true {
            sleep(3600)
            withExtendedLifetime(servers) {}
        }
    } catch {
        printError("hepabus-bench serve: \(error)")
        exit(1)
    }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "transport": exit(runTransport(arguments.dropFirst()))
case "client-swift": exit(await runSwiftClient(arguments.dropFirst()))
case "serve": runServe()
case "reaction": exit(await runReaction(arguments.dropFirst()))
case "bus-efficiency": exit(await runBusEfficiency(arguments.dropFirst()))
case "soak": exit(await runSoak(arguments.dropFirst()))
case "decoder": exit(runDecoder(arguments.dropFirst()))
case "-h", "--help", "help": print(usage)
case nil: usageError("missing subcommand")
default: usageError("unknown subcommand \(arguments.first!)")
}
