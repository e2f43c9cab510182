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

/// A file being written atomically: bytes go to a fresh temporary file `.NAME.XXXXXX` in the
/// target's directory (`mkstemp`: created exclusively, never an existing file or link), and
/// `commit()` flushes it to disk and renames it over the target, so a reader, or the target after
/// a crash, sees the old file or the new one, never a part; `abort()` (or a failed commit, or
/// dropping the object uncommitted) removes the temporary file. The target must be absent or a
/// regular file: the tool never replaces a directory, a device or a link it did not write.
/// `commit` and `abort` act once; later calls do nothing.
public final class AtomicFile {
    public let path: String
    let temporary: String
    /// The open descriptor of the temporary file (write to it, e.g. with `PVarSelect`'s writer).
    public let descriptor: Int32
    private var finished = false

    public init(path: String) throws(FileWriteError) {
        try AtomicFile.requireRegularFileOrAbsent(path)
        let url = URL(fileURLWithPath: path)
        var template = Array(url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).XXXXXX").path.utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw FileWriteError("cannot write '\(path)' (\(AtomicFile.reason())); give a writable path") }
        temporary = String(cString: template)
        fchmod(fd, 0o644)
        self.path = path
        descriptor = fd
    }

    deinit { abort() }

    /// Flushes and closes the temporary file and renames it over the target.
    public func commit() throws(FileWriteError) {
        guard !finished else { return }
        finished = true
        let synced = fsync(descriptor) == 0
        let closed = close(descriptor) == 0
        guard synced, closed, rename(temporary, path) == 0 else {
            let reason = AtomicFile.reason()
            unlink(temporary)
            throw FileWriteError("cannot write '\(path)' (\(reason)); give a writable path")
        }
    }

    /// Closes and removes the temporary file; the target is untouched.
    public func abort() {
        guard !finished else { return }
        finished = true
        close(descriptor)
        unlink(temporary)
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
