// The package's one way to write a file: through a temporary file beside it and rename(2).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file could not be written; `description` names the path and the reason (the caller adds
/// the option or context, e.g. `--save: ...`).
public struct FileWriteError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A file being written atomically: bytes go to an unnamed temporary file in the target's
/// directory (Linux `O_TMPFILE`: it has no name until `commit`, so a process killed with
/// `kill -9` while writing leaves nothing behind), and `commit()` flushes it to disk, gives it a
/// fresh name `.NAME.XXXXXX` (`linkat`) and renames that over the target, so a reader, or the
/// target after a crash, sees the old file or the new one, never a part. Where the file system
/// has no `O_TMPFILE`, the temporary file is named from the start (`mkstemp`: created
/// exclusively, never an existing file or link) and a `kill -9` can leave it behind; the target is
/// intact either way. `abort()` (or a failed commit, or dropping the object uncommitted) removes
/// the temporary file. The target must be absent or a
/// regular file: the tool never replaces a directory, a device or a link it did not write.
/// `commit` and `abort` act once; later calls do nothing.
public final class AtomicFile {
    public let path: String
    /// The temporary file's name: nil while it is unnamed (`O_TMPFILE`, until `commit`).
    private(set) var temporary: String?
    /// The open descriptor of the temporary file (write to it, e.g. with `PVarSelect`'s writer).
    public let descriptor: Int32
    private var finished = false

    /// Linux's `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`, 0o20200000 on x86-64 and arm64), which
    /// Swift does not import (a macro of macros).
    static let openTemporaryFile: Int32 = 0o20_000_000 | 0o200_000

    /// `unnamed: false` skips `O_TMPFILE` (the tests use it to exercise the named fallback).
    public init(path: String, unnamed: Bool = true) throws(FileWriteError) {
        try AtomicFile.requireRegularFileOrAbsent(path)
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        self.path = path
        #if os(Linux)
        let anonymous = unnamed ? open(directory, AtomicFile.openTemporaryFile | O_WRONLY | O_CLOEXEC, 0o644) : -1
        #else
        let anonymous: Int32 = -1
        #endif
        if anonymous >= 0 {
            temporary = nil
            descriptor = anonymous
            return
        }
        var template = Array(AtomicFile.template(for: path).utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw FileWriteError("cannot write '\(path)' (\(AtomicFile.reason())); give a writable path") }
        temporary = String(cString: template)
        fchmod(fd, 0o644)
        descriptor = fd
    }

    /// `DIR/.NAME.XXXXXX` for the target `DIR/NAME`.
    static func template(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).XXXXXX").path
    }

    /// Gives the unnamed temporary file a fresh name beside the target (`linkat` from
    /// `/proc/self/fd`, retried with another name if one exists); false if that fails.
    private func nameTemporaryFile() -> Bool {
        for attempt in 0..<100 {
            let name = AtomicFile.template(for: path).dropLast(6) + String(format: "%06x", (UInt32(getpid()) &* 2654435761 &+ UInt32(attempt)) & 0xFFFFFF)
            if linkat(AT_FDCWD, "/proc/self/fd/\(descriptor)", AT_FDCWD, String(name), AT_SYMLINK_FOLLOW) == 0 {
                temporary = String(name)
                return true
            }
            if errno != EEXIST { return false }
        }
        return false
    }

    deinit { abort() }

    /// Flushes and closes the temporary file and renames it over the target.
    public func commit() throws(FileWriteError) {
        guard !finished else { return }
        finished = true
        let synced = fsync(descriptor) == 0
        let named = synced && (temporary != nil || nameTemporaryFile())
        let closed = close(descriptor) == 0
        guard synced, named, closed, let name = temporary, rename(name, path) == 0 else {
            let reason = AtomicFile.reason()
            if let name = temporary { unlink(name) }
            throw FileWriteError("cannot write '\(path)' (\(reason)); give a writable path")
        }
    }

    /// Closes and removes the temporary file; the target is untouched.
    public func abort() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        if let name = temporary { unlink(name) }
    }

    /// Writes `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws(FileWriteError) {
        let file = try AtomicFile(path: path)
        do {
            try FileHandle(fileDescriptor: file.descriptor, closeOnDealloc: false).write(contentsOf: Data(text.utf8))
        } catch {
            file.abort()
            throw FileWriteError("cannot write '\(path)' (\(error.localizedDescription)); check the directory's permissions and free space")
        }
        try file.commit()
    }

    /// Throws unless `path` is absent or a regular file.
    public static func requireRegularFileOrAbsent(_ path: String) throws(FileWriteError) {
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            throw FileWriteError("'\(path)' exists and is not a regular file; give a file path")
        }
    }

    static func reason() -> String { String(cString: strerror(errno)) }
}
