// The one atomic writer and the one set of number formats of PVarReport.

import Foundation
@testable import PVarReport
import Testing

@Suite("AtomicFile")
struct AtomicFileTests {
    /// A fresh empty directory for one test.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pvar-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func entries(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    @Test("write replaces the target whole and leaves no temporary file")
    func writeReplacesWhole() throws {
        let dir = try Self.directory()
        let target = dir.appendingPathComponent("out.txt").path
        try AtomicFile.write("old\n", to: target)
        try AtomicFile.write("new contents\n", to: target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new contents\n")
        #expect(try Self.entries(dir) == ["out.txt"])
    }

    @Test("abort and dropping an uncommitted file leave the target untouched and no temporary file; commit and abort act once (unnamed O_TMPFILE and the named fallback)", arguments: [true, false])
    func abortLeavesTargetUntouched(_ unnamed: Bool) throws {
        let dir = try Self.directory()
        let target = dir.appendingPathComponent("out.txt").path
        try AtomicFile.write("kept\n", to: target)
        let file = try AtomicFile(path: target, unnamed: unnamed)
        // While writing, the unnamed temporary file has no name at all (nothing to leave behind
        // after kill -9); the fallback's is a hidden name beside the target.
        #expect(try Self.entries(dir).count == (unnamed ? 1 : 2))
        #expect((file.temporary == nil) == unnamed)
        file.abort()
        file.abort()
        try file.commit()   // after abort: does nothing
        do { _ = try AtomicFile(path: target, unnamed: unnamed) }   // dropped uncommitted
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "kept\n")
        #expect(try Self.entries(dir) == ["out.txt"])
    }

    @Test("two writers to one target use distinct temporary files; the last commit wins whole (both kinds of temporary file)", arguments: [true, false])
    func concurrentWritersDoNotShareTemporaries(_ unnamed: Bool) throws {
        let dir = try Self.directory()
        let target = dir.appendingPathComponent("out.txt").path
        let a = try AtomicFile(path: target, unnamed: unnamed), b = try AtomicFile(path: target, unnamed: unnamed)
        #expect(a.descriptor != b.descriptor)
        if !unnamed { #expect(a.temporary != b.temporary) }
        _ = "first\n".withCString { write(a.descriptor, $0, 6) }
        _ = "second\n".withCString { write(b.descriptor, $0, 7) }
        try a.commit()
        try b.commit()
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "second\n")
        #expect(try Self.entries(dir) == ["out.txt"])
    }

    @Test("a directory, a link or an unwritable place is refused with one line naming the path")
    func refusesWhatItDidNotWrite() throws {
        let dir = try Self.directory()
        let link = dir.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/etc/hostname")
        for path in [dir.path, link, "/nonexistent-dir/out.txt"] {
            #expect(throws: FileWriteError.self) { try AtomicFile.write("x", to: path) }
            do { try AtomicFile.write("x", to: path) } catch {
                #expect(error.description.contains(path) && !error.description.contains("\n"), "\(error)")
            }
        }
        #expect(try Self.entries(dir) == ["link"], "nothing left behind")
    }
}

@Suite("NumberFormat")
struct NumberFormatTests {
    @Test("each format prints what its doc comment says, in the C locale")
    func formatsAsDocumented() {
        #expect(fixed(0.12345, 3) == "0.123" && fixed(2, 2) == "2.00" && fixed(-0.0004, 3) == "-0.000")
        #expect(signedFixed(0.5, 4) == "+0.5000" && signedFixed(-0.5, 4) == "-0.5000")
        #expect(significant(1234567, 4) == "1.235e+06" && significant(0.000123456, 2) == "0.00012")
        #expect(percent(0.1234, 1) == "12.3%" && percent(0.1234, 2, signed: true) == "+12.34%" && percent(-0.01, 2, signed: true) == "-1.00%")
        #expect(shortest(3.0) == "3" && shortest(0.25) == "0.25" && shortest(1e-7) == "1e-07")
    }
}
