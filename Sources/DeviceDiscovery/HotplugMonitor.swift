internal import CUdev
import Foundation
import Synchronization

/// Add, remove and change events of serial ports (the `tty` subsystem), from
/// a libudev netlink monitor, as an `AsyncStream`.
///
/// A dedicated thread polls the monitor's socket and a stop pipe, so waiting
/// for events never occupies a Swift concurrency thread, and ``stop()`` (or
/// the consumer dropping the stream) ends it at once.
///
/// With a udev daemon, monitor `.udev`: events come after the rules ran, with
/// the `/dev/hepabus/<role>` links and `HEPABUS_ROLE`. Without one (see
/// ``availability``), `.udev` events never arrive; `.kernel` gives the raw
/// uevents. Either way, also watch the lines themselves
/// (``PortPresenceWatcher``, I/O errors): a monitor cannot report what it
/// never receives.
///
/// ```swift
/// let monitor = try HotplugMonitor(source: HotplugMonitor.availability.recommendedSource ?? .udev)
/// for await event in monitor.events where event.action == .remove { ... }
/// ```
public final class HotplugMonitor: Sendable {
    /// The netlink group to listen to.
    public enum Source: String, Sendable, Hashable, Codable {
        /// `udev_monitor_new_from_netlink(udev, "udev")`: events the udev daemon
        /// sends after processing its rules. Nothing arrives without a daemon.
        case udev
        /// `udev_monitor_new_from_netlink(udev, "kernel")`: the kernel's uevents,
        /// before any rule (no links, no role). Needs no privilege to receive.
        case kernel
    }

    /// The source this monitor listens to.
    public let source: Source
    /// The events, in arrival order; finishes after ``stop()``. One consumer.
    public let events: AsyncStream<HotplugEvent>
    /// A warning when this monitor cannot receive what its source promises:
    /// a `.udev` monitor with no udev daemon running. `nil` otherwise.
    public let notice: String?

    private let control: StopControl

    /// Whether events can come here, and from which source. Checked afresh on
    /// every access (a daemon can start or stop while we run); opens and
    /// closes a kernel-source monitor to find out whether that one can be used.
    public static var availability: HotplugAvailability {
        var problem: String?
        do {
            let probe = try MonitorHandle(source: .kernel)
            probe.close()
        } catch {
            problem = "\(error)"
        }
        return HotplugAvailability(
            udevDaemonRunning: SerialPortInfo.udevDaemonRunning,
            kernelSourceUsable: problem == nil,
            kernelSourceProblem: problem
        )
    }

    /// Opens a monitor on `source`, filtered to the `tty` subsystem, and starts
    /// its thread.
    ///
    /// - Throws: ``DiscoveryError`` naming the libudev call that failed.
    public init(source: Source = .udev) throws {
        self.source = source
        notice = source == .udev && !SerialPortInfo.udevDaemonRunning
            ? "no udev daemon runs (/run/udev/control is absent): this monitor will receive no events;"
                + " use the kernel source and watch the lines (PortPresenceWatcher)"
            : nil

        let handle = try MonitorHandle(source: source)
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            let code = errno
            handle.close()
            throw DiscoveryError.monitorFailed(call: "pipe", errno: code)
        }
        // pipe2 is not imported; children we spawn must not inherit the pipe.
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        let control = StopControl(writeEnd: ends[1])
        self.control = control

        let (stream, continuation) = AsyncStream.makeStream(of: HotplugEvent.self)
        events = stream
        continuation.onTermination = { _ in control.requestStop() }

        let stopReadEnd = ends[0]
        let origin: HotplugEvent.Origin = source == .udev ? .udev : .kernel
        let thread = Thread {
            Self.pollLoop(handle: handle, stopReadEnd: stopReadEnd, origin: origin, continuation: continuation)
            continuation.finish()
            handle.close()
            close(stopReadEnd)
            control.threadFinished()
        }
        thread.name = "hepabus-hotplug-\(source.rawValue)"
        thread.start()
    }

    deinit { control.requestStop() }

    /// Ends the event stream and the thread. Safe to call more than once, from
    /// any thread.
    public func stop() { control.requestStop() }

    /// Whether the polling thread still runs (for tests: stopping must end it).
    var isPolling: Bool { control.isPolling }

    /// Waits on the monitor socket and the stop pipe until stopped, yielding
    /// every device received.
    private static func pollLoop(
        handle: MonitorHandle, stopReadEnd: Int32, origin: HotplugEvent.Origin,
        continuation: AsyncStream<HotplugEvent>.Continuation
    ) {
        var descriptors = [
            pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopReadEnd, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            descriptors[0].revents = 0
            descriptors[1].revents = 0
            if poll(&descriptors, 2, -1) < 0 {
                if errno == EINTR { continue }
                return
            }
            if descriptors[1].revents != 0 { return }
            let monitorEvents = Int32(descriptors[0].revents)
            if monitorEvents & Int32(POLLIN) == 0 {
                if monitorEvents & Int32(POLLERR | POLLHUP | POLLNVAL) != 0 { return }
                continue
            }
            // The socket is non-blocking: drain it. NULL ends the batch
            // (EAGAIN), or says the kernel dropped messages (ENOBUFS).
            while true {
                errno = 0
                guard let device = udev_monitor_receive_device(handle.monitor) else {
                    if errno == ENOBUFS { continuation.yield(HotplugEvent(action: .eventsLost, origin: origin)) }
                    break
                }
                defer { udev_device_unref(device) }
                continuation.yield(HotplugEvent(udevDevice: device, origin: origin))
            }
        }
    }
}

/// The libudev context and monitor, owned by the polling thread once started:
/// `@unchecked` because libudev objects are not thread-safe, but only one
/// thread ever uses them.
private struct MonitorHandle: @unchecked Sendable {
    let udev: OpaquePointer
    let monitor: OpaquePointer

    var fileDescriptor: Int32 { udev_monitor_get_fd(monitor) }

    init(source: HotplugMonitor.Source) throws {
        guard let udev = udev_new() else { throw DiscoveryError.udevUnavailable(errno: errno) }
        guard let monitor = udev_monitor_new_from_netlink(udev, source.rawValue) else {
            let code = errno
            udev_unref(udev)
            throw DiscoveryError.monitorFailed(call: "udev_monitor_new_from_netlink(\"\(source.rawValue)\")", errno: code)
        }
        self.udev = udev
        self.monitor = monitor
        // libudev returns negative errno codes.
        let filtered = udev_monitor_filter_add_match_subsystem_devtype(monitor, "tty", nil)
        if filtered < 0 {
            close()
            throw DiscoveryError.monitorFailed(call: "udev_monitor_filter_add_match_subsystem_devtype", errno: -filtered)
        }
        let enabled = udev_monitor_enable_receiving(monitor)
        if enabled < 0 {
            close()
            throw DiscoveryError.monitorFailed(call: "udev_monitor_enable_receiving", errno: -enabled)
        }
    }

    func close() {
        udev_monitor_unref(monitor)
        udev_unref(udev)
    }
}

/// The stop pipe's write end, shared by ``HotplugMonitor/stop()``, the
/// stream's termination handler and the thread. The lock makes "write the
/// stop byte" and "the thread closed the pipe" exclusive, so a late stop never
/// writes to a closed (possibly reused) descriptor.
private final class StopControl: Sendable {
    private struct State {
        var writeEnd: Int32
        var stopRequested = false
        var threadDone = false
    }

    private let state: Mutex<State>

    init(writeEnd: Int32) { state = Mutex(State(writeEnd: writeEnd)) }

    func requestStop() {
        state.withLock { state in
            guard !state.stopRequested else { return }
            state.stopRequested = true
            if state.writeEnd >= 0 {
                var byte: UInt8 = 1
                _ = write(state.writeEnd, &byte, 1)
            }
        }
    }

    var isPolling: Bool { state.withLock { !$0.threadDone } }

    func threadFinished() {
        state.withLock { state in
            state.threadDone = true
            state.stopRequested = true
            if state.writeEnd >= 0 { close(state.writeEnd) }
            state.writeEnd = -1
        }
    }
}
