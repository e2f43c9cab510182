// A progress line on stderr for commands that run longer than about a second.

import Foundation

/// Seconds before the progress line first appears: shorter runs print nothing.
let progressDelay = 1.0

/// One line on stderr saying what a long command is doing and for how long: nothing for runs
/// shorter than `progressDelay`; then, on a terminal, the line is rewritten in place every
/// second and erased at the end; elsewhere (a log) one line per stage that starts after the
/// delay, and none at the end. Only where stderr is a terminal, unless `PVAR_PROGRESS=1`
/// (tests; `PVAR_PROGRESS_DELAY` sets the delay), so scripts reading stderr see no change.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let start = DispatchTime.now().uptimeNanoseconds
    private let enabled: Bool
    private let delay: Double
    private let terminal: Bool
    private var current = ""
    private var shown = false
    private var done = false
    private var timer: DispatchSourceTimer?
    /// Said before the stage (e.g. `K = 65536, d = 64`).
    var label: String {
        get { lock.withLock { labelStorage } }
        set { lock.withLock { labelStorage = newValue } }
    }
    private var labelStorage = ""

    init() {
        let environment = ProcessInfo.processInfo.environment
        terminal = isatty(STDERR_FILENO) == 1
        enabled = terminal || environment["PVAR_PROGRESS"] == "1"
        delay = environment["PVAR_PROGRESS_DELAY"].flatMap(Double.init) ?? progressDelay
        guard enabled else { return }
        let t = DispatchSource.makeTimerSource(queue: .global())
        t.schedule(deadline: .now() + delay, repeating: 1.0)
        t.setEventHandler { [weak self] in self?.tick() }
        t.resume()
        timer = t
    }

    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }

    /// The command moved on to `name`.
    func stage(_ name: String) {
        lock.withLock {
            current = name
            if enabled && !terminal && elapsed >= delay && !done { write(line()) }
        }
    }

    private func line() -> String {
        "pvar: \(labelStorage.isEmpty ? "" : labelStorage + ": ")\(current), \(String(format: "%.0f", elapsed)) s so far"
    }

    private func tick() {
        lock.withLock {
            guard !done else { return }
            if terminal {
                FileHandle.standardError.write(Data(("\r\u{1b}[K" + line()).utf8))
                shown = true
            } else if !shown {
                write(line())
            }
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
        shown = true
    }

    /// Stops the line (erased on a terminal); later calls do nothing.
    func finish() {
        lock.withLock {
            guard !done else { return }
            done = true
            timer?.cancel()
            if terminal && shown { FileHandle.standardError.write(Data("\r\u{1b}[K".utf8)) }
        }
    }
}
