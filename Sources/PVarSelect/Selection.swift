// `pvar select` (issue 7, section 2): the unbiased PVar estimate of every prompt in a JSON Lines
// file of reward-model scores, and the top N or top p% of the prompts by it, in constant memory.
//
// Pipeline: one pass over the input parses and validates each line, computes its estimate
// (`unbiasedPVarEstimate(rewards:)`, PVarCore) and spools the estimate (8 bytes) and the id (as
// written) to two anonymous temporary files; the exact threshold is found from the estimates spool
// by a radix selection on the bit patterns (`SelectionThreshold`); a last pass over the two
// spools writes the output. The input is read once, so standard input needs no separate spool.


import Foundation
import PVarCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor in chunks and hands out its lines (without `\n`).
private struct LineReader {
    let fd: Int32
    let name: String
    var buffer: [UInt8]
    var start = 0, end = 0
    var eof = false

    init(fd: Int32, name: String, chunk: Int = 1 << 20) {
        self.fd = fd
        self.name = name
        buffer = [UInt8](repeating: 0, count: chunk)
    }

    /// Calls `body` with each line in turn; a last line without `\n` counts.
    mutating func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        while true {
            let found: Int? = buffer.withUnsafeBufferPointer { b in
                guard end > start, let p = memchr(b.baseAddress! + start, 0x0A, end - start) else { return nil }
                return UnsafeRawPointer(p) - UnsafeRawPointer(b.baseAddress!)
            }
            if let nl = found {
                try buffer.withUnsafeBufferPointer { b in try body(UnsafeBufferPointer(rebasing: b[start..<nl])) }
                start = nl + 1
                continue
            }
            if eof {
                if end > start {
                    try buffer.withUnsafeBufferPointer { b in try body(UnsafeBufferPointer(rebasing: b[start..<end])) }
                }
                return
            }
            // Move the partial line to the front, grow if one line fills the buffer, read more.
            if start > 0 {
                buffer.withUnsafeMutableBufferPointer { b in
                    _ = memmove(b.baseAddress!, b.baseAddress! + start, end - start)
                }
                end -= start
                start = 0
            }
            if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let n = try readSome(fd, into: &buffer, at: end, name: name)
            if n == 0 { eof = true } else { end += n }
        }
    }
}

/// One `read(2)` into `buffer[offset...]`, retried on EINTR; 0 at end of file.
private func readSome(_ fd: Int32, into buffer: inout [UInt8], at offset: Int, name: String) throws -> Int {
    while true {
        let n = buffer.withUnsafeMutableBufferPointer { b in read(fd, b.baseAddress! + offset, b.count - offset) }
        if n >= 0 { return n }
        if errno == EINTR { continue }
        throw SelectionError.io("\(name): cannot read (\(String(cString: strerror(errno))))")
    }
}

/// Buffered `write(2)`.
private struct Writer {
    let fd: Int32
    let name: String
    var buffer: [UInt8] = []
    let capacity: Int

    init(fd: Int32, name: String, capacity: Int = 1 << 20) {
        self.fd = fd
        self.name = name
        self.capacity = capacity
        buffer.reserveCapacity(capacity + 4096)
    }

    @inline(__always)
    mutating func append<S: Sequence>(_ bytes: S) throws where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    mutating func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBufferPointer { b in write(fd, b.baseAddress! + offset, b.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SelectionError.io("\(name): cannot write (\(String(cString: strerror(errno))))")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// An anonymous temporary file (created in the temporary directory and unlinked at once, so
/// nothing is left behind even if the process is killed); closed on deinit.
private final class Spool {
    let fd: Int32

    init(_ label: String) throws {
        let directory = FileManager.default.temporaryDirectory.path
        var template = Array((directory + "/pvar-select-\(label)-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw SelectionError.io("cannot create a temporary file in \(directory) (\(String(cString: strerror(errno)))); set TMPDIR to a writable directory")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    func rewind() throws {
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            throw SelectionError.io("cannot rewind a temporary file (\(String(cString: strerror(errno))))")
        }
    }

    deinit { close(fd) }
}

/// Calls `body` with the bit pattern of every estimate in the spool, in order.
private func forEachEstimate(_ spool: Spool, _ body: (UInt64) throws -> Void) throws {
    try spool.rewind()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var filled = 0
    while true {
        let n = try readSome(spool.fd, into: &buffer, at: filled, name: "temporary file")
        if n == 0 { break }
        filled += n
        let whole = filled / 8 * 8
        try buffer.withUnsafeBytes { raw in
            for o in stride(from: 0, to: whole, by: 8) { try body(raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        }
        buffer.withUnsafeMutableBufferPointer { b in _ = memmove(b.baseAddress!, b.baseAddress! + whole, filled - whole) }
        filled -= whole
    }
    precondition(filled == 0, "forEachEstimate: truncated temporary file")
}

// MARK: - The run

/// Runs `pvar select`: reads JSON Lines prompts from `input` (a readable file descriptor, e.g. 0),
/// writes one JSON line per well-formed prompt to `output`, in input order:
///
///     {"id": <as given>, "pvar": <unbiasedPVarEstimate(rewards:)>, "selected": <true|false>}
///
/// `pvar` in the shortest form that reads back to the same double (`InstanceFile.format`);
/// selection by `SelectionThreshold` (estimate descending, then input order).
///
/// Memory is constant in the number of prompts: fixed 1 MiB I/O buffers (a line longer than that
/// grows the line buffer to the longest line), the rewards of one line, a 65,536-bin histogram
/// and at most `candidateLimit` estimates. Disk: two unlinked temporary files of 8 bytes plus the
/// id's length plus 1 per prompt. Passes: one over the input, up to 3 over the 8-byte estimates,
/// one over both temporary files to write the output.
///
/// Strict mode throws at the first malformed line, before anything is written to `output`.
public func selectPrompts(input: Int32, inputName: String = "input", output: Int32, outputName: String = "output",
                          options: SelectionOptions) throws(SelectionError) -> SelectionSummary {
    do {
        return try runSelection(input: input, inputName: inputName, output: output, outputName: outputName, options: options)
    } catch let e as SelectionError {
        throw e
    } catch {
        throw SelectionError.io("\(error)")
    }
}

private func runSelection(input: Int32, inputName: String, output: Int32, outputName: String,
                          options o: SelectionOptions) throws -> SelectionSummary {
    let estimates = try Spool("estimates"), ids = try Spool("ids")
    var estimateWriter = Writer(fd: estimates.fd, name: "temporary file")
    var idWriter = Writer(fd: ids.fd, name: "temporary file")
    var histogram = [Int](repeating: 0, count: SelectionThreshold.binCount)
    var parser = PromptLineParser()
    var reader = LineReader(fd: input, name: inputName)
    var lines = 0, prompts = 0, skipped = 0
    var firstSkipped: SelectionError? = nil

    // Pass 1: parse, estimate, spool, histogram.
    var first = true
    try reader.forEachLine { rawLine in
        lines += 1
        var line = rawLine
        if first {
            first = false
            if line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {  // UTF-8 byte order mark
                line = UnsafeBufferPointer(rebasing: line[3...])
            }
        }
        if !PromptLineParser.isBlank(line) {
            do {
                let id = try parser.parse(line)
                let u = parser.rewards.withUnsafeBufferPointer { unbiasedPVarEstimate(rewards: $0) }
                withUnsafeBytes(of: u.bitPattern.littleEndian) { estimateWriter.buffer.append(contentsOf: $0) }
                if estimateWriter.buffer.count >= estimateWriter.capacity { try estimateWriter.flush() }
                try idWriter.append(UnsafeBufferPointer(rebasing: line[id]))
                try idWriter.append(CollectionOfOne(UInt8(ascii: "\n")))
                histogram[SelectionThreshold.topBin(u)] += 1
                prompts += 1
            } catch let e as InputError {
                let error = SelectionError.malformedLine(line: lines, e)
                if o.policy == .strict { throw error }
                skipped += 1
                if firstSkipped == nil { firstSkipped = error }
            }
        }
        if lines % o.progressInterval == 0 { o.progress?(SelectionProgress(lines: lines, prompts: prompts, skipped: skipped)) }
    }
    o.progress?(SelectionProgress(lines: lines, prompts: prompts, skipped: skipped))
    try estimateWriter.flush()
    try idWriter.flush()

    // The threshold.
    let k = o.size.count(of: prompts)
    let threshold: SelectionThreshold? = k == 0 ? nil : try SelectionThreshold.resolve(
        k: k, total: prompts, histogram: histogram, candidateLimit: o.candidateLimit) { body in
            try forEachEstimate(estimates) { body($0) }
        }

    // Output pass.
    var out = Writer(fd: output, name: outputName)
    var idReader = LineReader(fd: ids.fd, name: "temporary file")
    try ids.rewind()
    var tiesLeft = threshold?.tiesSelected ?? 0
    var values = [UInt8](repeating: 0, count: 1 << 20)
    var valueCount = 0, valueIndex = 0
    var selected = 0, written = 0
    try estimates.rewind()
    let head = Array(#"{"id": "#.utf8), middle = Array(#", "pvar": "#.utf8)
    let yes = Array(#", "selected": true}"#.utf8 + [0x0A]), no = Array(#", "selected": false}"#.utf8 + [0x0A])
    try idReader.forEachLine { id in
        if valueIndex == valueCount {
            var filled = 0
            while filled < values.count {
                let n = try readSome(estimates.fd, into: &values, at: filled, name: "temporary file")
                if n == 0 { break }
                filled += n
            }
            precondition(filled % 8 == 0 && filled > 0, "selectPrompts: estimates spool out of step with the ids")
            valueCount = filled / 8
            valueIndex = 0
        }
        let u = values.withUnsafeBytes { Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * valueIndex, as: UInt64.self))) }
        valueIndex += 1
        var isSelected = false
        if let t = threshold {
            if u > t.value {
                isSelected = true
            } else if u == t.value && tiesLeft > 0 {
                isSelected = true
                tiesLeft -= 1
            }
        }
        if isSelected { selected += 1 }
        try out.append(head)
        try out.append(id)
        try out.append(middle)
        try out.append(InstanceFile.format(u).utf8)
        try out.append(isSelected ? yes : no)
        written += 1
    }
    try out.flush()
    precondition(written == prompts && selected == k, "selectPrompts: wrote \(written) of \(prompts), selected \(selected) of \(k)")
    return SelectionSummary(lines: lines, prompts: prompts, selected: selected, skipped: skipped, firstSkipped: firstSkipped,
                            threshold: threshold?.value, refinementPasses: threshold?.passes ?? 0)
}
