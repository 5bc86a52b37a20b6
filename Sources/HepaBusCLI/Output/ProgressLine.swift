import Foundation

/// A one-line progress indicator on standard error, redrawn in place, shown only to a
/// person at a terminal (scripts and logs get the result lines alone).
final class ProgressLine {
    let enabled: Bool
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ text: String) {
        guard enabled else { return }
        Terminal.writeStderr("\r\u{1B}[K" + text)
        shown = true
    }

    /// Clears the line, so what follows starts on a clean one.
    func finish() {
        guard enabled, shown else { return }
        Terminal.writeStderr("\r\u{1B}[K")
        shown = false
    }
}
