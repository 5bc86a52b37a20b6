import Glibc

extension SerialPortInfo {
    /// Whether a udev daemon (systemd-udevd) runs, judged by its control socket
    /// `/run/udev/control`.
    ///
    /// Without a daemon (containers, most CI) libudev still lists ports from
    /// sysfs, but the `ID_*` properties, the `/dev/serial/by-id` and `by-path`
    /// links and `HEPABUS_ROLE` are missing, so callers should say so rather than
    /// report "no role assigned". Checked on every access: the daemon can start
    /// or stop while we run.
    public static var udevDaemonRunning: Bool {
        access(udevControlSocketPath, F_OK) == 0
    }

    /// The socket systemd-udevd creates at start-up.
    static let udevControlSocketPath = "/run/udev/control"
}
