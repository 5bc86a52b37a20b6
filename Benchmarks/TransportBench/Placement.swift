import Glibc

/// Where the benchmark's threads run. On a small (virtual) machine the
/// scheduler's choice of CPUs, not the code under test, decides most of a
/// ping-pong benchmark's figures: one client/server pair on one CPU does
/// ~50 000 TCP transactions/s, the same pair on two CPUs ~10 000 (wake-ups
/// across CPUs cost an inter-processor interrupt, which is slow under a
/// hypervisor), and unpinned runs land on either at random. Pinning makes C
/// and Swift run under the same conditions.
enum Placement: String, CaseIterable, Sendable {
    /// Server threads and client processes on one CPU (the default: the most
    /// repeatable, and CPU per transaction is then the code path's cost alone).
    case sameCPU = "same-cpu"
    /// Server threads on one CPU, client processes on another (a device that
    /// answers from elsewhere; includes the cross-CPU wake-up latency).
    case split
    /// No pinning: wherever the scheduler puts things (noisy).
    case none
}

/// Thread CPU affinity. sched_getaffinity(2)/sched_setaffinity(2) are GNU
/// extensions that Swift's Glibc module does not declare, so they are looked up
/// at run time; with pid 0 they act on the calling thread only, and threads
/// and processes started afterwards inherit the mask.
enum CPUAffinity {
    private typealias AffinityCall = @convention(c) (pid_t, Int, UnsafeMutableRawPointer?) -> Int32

    private static func call(_ name: String) -> AffinityCall? {
        guard let symbol = dlsym(nil, name) else { return nil }  // nil handle: RTLD_DEFAULT
        return unsafeBitCast(symbol, to: AffinityCall.self)
    }

    /// The CPUs the calling thread may run on, ascending.
    static func allowedCPUs() -> [Int] {
        guard let get = call("sched_getaffinity") else { return [] }
        var set = cpu_set_t()
        let rc = withUnsafeMutableBytes(of: &set) { get(0, $0.count, $0.baseAddress) }
        guard rc == 0 else { return [] }
        return withUnsafeBytes(of: &set) { bytes in
            (0..<bytes.count * 8).filter { bytes[$0 / 8] & (1 << ($0 % 8)) != 0 }
        }
    }

    /// Restricts the calling thread to `cpu`; false if the kernel refused.
    @discardableResult
    static func pinCallingThread(to cpu: Int) -> Bool {
        guard let set = call("sched_setaffinity"), cpu >= 0, cpu < MemoryLayout<cpu_set_t>.size * 8 else { return false }
        var mask = cpu_set_t()
        withUnsafeMutableBytes(of: &mask) { $0[cpu / 8] = 1 << (cpu % 8) }
        return withUnsafeMutableBytes(of: &mask) { set(0, $0.count, $0.baseAddress) } == 0
    }
}

/// The 1-minute load average, to judge how busy the machine was (nil if unknown).
func loadAverage() -> Double? {
    var load = [0.0]
    return getloadavg(&load, 1) == 1 ? load[0] : nil
}
