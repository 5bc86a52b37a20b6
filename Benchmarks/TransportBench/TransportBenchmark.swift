import Foundation
import Glibc

/// An implementation under test: the C baseline or one Swift mode.
enum Implementation: Hashable, Sendable {
    case c
    case swift(SwiftMode)

    static let baselineName = "c-libmodbus"
    static let all: [Implementation] = [.c] + SwiftMode.allCases.map { .swift($0) }

    var name: String {
        switch self {
        case .c: Implementation.baselineName
        case .swift(let mode): mode.rawValue
        }
    }

    init?(name: String) {
        if name == Implementation.baselineName { self = .c } else if let mode = SwiftMode(rawValue: name) { self = .swift(mode) } else { return nil }
    }
}

/// `hepabus-bench transport`: serves both lines in this process and measures
/// each client implementation in a child process, several rounds alternating,
/// then reports the medians and the Swift/C ratios.
struct TransportBenchmark {
    var transactions = 20_000
    /// Rounds per implementation; the median is reported. Five rather than
    /// three: a pty's data passes through kernel workers whose placement
    /// swings a run's throughput by 2x on a busy small machine.
    var rounds = 5
    var transports = ["rtu", "tcp"]
    var implementations = Implementation.all
    var placement = Placement.sameCPU
    /// Path of bare-libmodbus-bench; by default next to this executable.
    var cProgram: String?

    /// The issue's targets: Swift within 10 % of C in throughput, 20 % in CPU per transaction.
    static let throughputRatioMin = 0.9
    static let cpuRatioMax = 1.2

    /// A client run that produced no usable figures, or reported errors.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs everything; the report carries failures rather than throwing them,
    /// so the figures that were obtained are still printed.
    func run() throws -> TransportReport {
        let started = monotonicSeconds()
        let selfPath = Self.executablePath()
        let cPath = cProgram ?? URL(fileURLWithPath: selfPath).deletingLastPathComponent()
            .appendingPathComponent("bare-libmodbus-bench").path
        if implementations.contains(.c) && access(cPath, X_OK) != 0 {
            throw Failure(description: """
                the C baseline \(cPath) is missing; build it first:
                  swift build -c release --scratch-path .build-bench --product bare-libmodbus-bench
                """)
        }

        // Pin before anything starts a thread: the server threads inherit the
        // main thread's mask at creation, the children inherit it at spawn.
        let cpus = CPUAffinity.allowedCPUs()
        var serverCPU: Int? = nil
        var clientCPU: Int? = nil
        switch placement {
        case .sameCPU:
            guard let cpu = cpus.first else { throw Failure(description: "cannot read this thread's CPU affinity") }
            (serverCPU, clientCPU) = (cpu, cpu)
        case .split:
            guard cpus.count >= 2 else { throw Failure(description: "--placement split needs two CPUs; \(cpus.count) allowed") }
            (serverCPU, clientCPU) = (cpus[0], cpus[1])
        case .none:
            break
        }
        if let serverCPU, !CPUAffinity.pinCallingThread(to: serverCPU) {
            throw Failure(description: "cannot pin the server threads to CPU \(serverCPU)")
        }
        var report = TransportReport(transactions: transactions, rounds: rounds, implementations: implementations)
        report.placement = placement
        report.cpus = (server: serverCPU, client: clientCPU)
        report.loadAverageBefore = loadAverage()
        let servers = try BenchServers()
        if let clientCPU, !CPUAffinity.pinCallingThread(to: clientCPU) {
            throw Failure(description: "cannot pin the clients to CPU \(clientCPU)")
        }
        for transportName in transports {
            let transport = transportName == "rtu" ? servers.rtu : servers.tcp
            let served = servers.units(for: transport)
            let servedBefore = served.requestsServed
            var runs = 0
            for round in 0..<rounds {
                // Alternate the order each round so slow drift (thermal, a
                // neighbour's load) does not always favour the same implementation.
                let order = round % 2 == 0 ? implementations : implementations.reversed()
                for impl in order {
                    servers.readyLineForNextClient()
                    let arguments: [String]
                    let program: String
                    switch impl {
                    case .c:
                        program = cPath
                        arguments = transport.arguments + [String(transactions)]
                    case .swift(let mode):
                        program = selfPath
                        arguments = ["client-swift"] + transport.arguments + [String(transactions), "--mode", mode.rawValue]
                    }
                    runs += 1
                    switch Self.runChild(program, arguments) {
                    case .success(let sample):
                        report.add(sample, transport: transport.name, impl: impl)
                        printError("\(transport.name) round \(round + 1)/\(rounds) \(pad(impl.name, 16)) "
                                   + String(format: "%9.0f tx/s %8.2f µs CPU/tx", sample.tps, sample.cpuMicrosPerTransaction))
                        if sample.callerHoppedBack == false {
                            // The figures would not be those of one hop per transaction.
                            report.failures.append("\(transport.name) \(impl.name) round \(round + 1): the caller stayed on the bus thread (hop optimised away)")
                        }
                        if sample.errors > 0 {
                            report.failures.append("\(transport.name) \(impl.name) round \(round + 1): \(sample.errors) of \(sample.transactions) reads failed")
                        }
                    case .failure(let failure):
                        printError("\(transport.name) round \(round + 1) \(impl.name): FAILED: \(failure)")
                        report.failures.append("\(transport.name) \(impl.name) round \(round + 1): \(failure)")
                    }
                }
            }
            // A cross-check that every client really talked to our server.
            let counted = (served: served.requestsServed - servedBefore, expected: runs * (transactions + warmupTransactions))
            report.serverRequests[transport.name] = counted
            if counted.served != counted.expected {
                report.failures.append("the \(transport.name) server answered \(counted.served) requests, the clients should have sent \(counted.expected)")
            }
        }
        report.elapsedSeconds = monotonicSeconds() - started
        report.loadAverageAfter = loadAverage()
        return report
    }

    /// Runs one client process and parses the JSON line it prints.
    static func runChild(_ program: String, _ arguments: [String]) -> Result<Sample, Failure> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            return .failure(Failure(description: "cannot start \(program): \(error)"))
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let line = text.split(separator: "\n").last.map(String.init) ?? ""
        guard let sample = Sample(jsonLine: line) else {
            return .failure(Failure(description: "\(program) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus) and printed no figures"))
        }
        // Exit status 1 with figures means "some reads failed": the sample's errors say so.
        if process.terminationReason != .exit || (process.terminationStatus != 0 && sample.errors == 0) {
            return .failure(Failure(description: "\(program) ended abnormally (status \(process.terminationStatus))"))
        }
        return .success(sample)
    }

    /// This executable's path, to start our own Swift client children.
    static func executablePath() -> String {
        if let url = Bundle.main.executableURL { return url.path }
        return CommandLine.arguments[0]
    }
}
