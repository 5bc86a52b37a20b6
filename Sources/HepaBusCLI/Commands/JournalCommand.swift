public import ArgumentParser
import Foundation
import Journal

/// `hepabus journal export`: the event journal as CSV or JSON.
struct JournalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Read the event journal.",
        subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Print the journal as CSV (RFC 4180, a header row) or JSON (an array).",
            discussion: """
                Reads without taking the journal's lock, so it works while a treatment writes it. A torn last
                record (a crash mid-write) is left out and reported on standard error (exit 0). A damaged
                record: every entry before it is printed, then the damage is named with its byte offset on
                standard error (exit 1). A file that is not a journal: nothing is printed, exit 1.
                """)

        @Argument(help: "The journal file (the demo prints where its journal is).")
        var path: String

        @Option(help: "csv or json.")
        var format: JournalExport.Format = .csv

        func run() async throws {
            let result: JournalReadResult
            do {
                result = try EventJournal.readUpToDamage(path: path)
            } catch {
                throw CommandFailure.device("\(error)")
            }
            if let damage = result.damage, case .notAJournal = damage {
                throw CommandFailure.device("\(damage)")
            }
            if result.tornTailBytes > 0 {
                Terminal.writeStderr("note: \(result.tornTailBytes) bytes of a torn last record (a crash mid-write) left out\n")
            }
            let text = format == .csv ? JournalExport.csv(result.entries) : JournalExport.json(result.entries)
            FileHandle.standardOutput.write(Data(text.utf8))
            if let damage = result.damage {
                throw CommandFailure.device("\(damage); the \(result.entries.count) entries before it were exported, "
                    + "nothing after it")
            }
        }
    }
}

extension JournalExport.Format: ExpressibleByArgument {}
