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

/// A file being written atomically: bytes go to `.NAME.tmp` in the target's directory, and
/// `commit()` renames it over the target, so a reader sees the old file or the new one, never a
/// part; `abort()` (or a failed commit) removes the temporary file. The target must be absent or
/// a regular file: the tool never replaces a directory, a device or a link it did not write.
public final class AtomicFile {
    public let path: String
    let temporary: String
    /// The open descriptor of the temporary file (write to it, e.g. with `PVarSelect`'s writer).
    public let descriptor: Int32
    private var finished = false

    public init(path: String) throws(FileWriteError) {
        try AtomicFile.requireRegularFileOrAbsent(path)
        let url = URL(fileURLWithPath: path)
        temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FileWriteError("cannot write '\(path)' (\(AtomicFile.reason())); give a writable path") }
        self.path = path
        descriptor = fd
    }

    deinit { if !finished { abort() } }

    /// Closes the temporary file and renames it over the target.
    public func commit() throws(FileWriteError) {
        finished = true
        guard close(descriptor) == 0, rename(temporary, path) == 0 else {
            let reason = AtomicFile.reason()
            unlink(temporary)
            throw FileWriteError("cannot write '\(path)' (\(reason)); give a writable path")
        }
    }

    /// Closes and removes the temporary file; the target is untouched.
    public func abort() {
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
