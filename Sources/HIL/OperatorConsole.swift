import Foundation
import Synchronization

/// The rig operator's terminal: injections are asked of the operator, who confirms with
/// Enter (or the runner sees the condition itself appear first).
public final class OperatorConsole: Sendable {
    private let confirmations = Mutex(0)
    private let started = Mutex(false)
    private let output: @Sendable (String) -> Void

    /// A console that writes its prompts through `output` (standard output by default).
    public init(output: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.output = output
    }

    /// Asks the operator to do `what`; returns a token to poll with ``confirmed(after:)``.
    public func ask(_ what: String) -> Int {
        startReading()
        output("OPERATOR: \(what) — press Enter when done")
        return confirmations.withLock { $0 }
    }

    /// Whether Enter was pressed since the question with `token`.
    public func confirmed(after token: Int) -> Bool { confirmations.withLock { $0 > token } }

    /// One reader thread for standard input (a blocking read, never on Swift's pool).
    private func startReading() {
        guard started.withLock({ s in defer { s = true }; return !s }) else { return }
        let thread = Thread { [self] in
            while readLine(strippingNewline: true) != nil {
                self.confirmations.withLock { $0 += 1 }
            }
        }
        thread.name = "hil-operator-console"
        thread.start()
    }
}
