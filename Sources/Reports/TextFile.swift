import Foundation
import SystemPackage

/// Writes a report's text files. Files are not synced one by one (`Data.write(to:)` calls `fsync`
/// per file, 10,000 of them a night at 10,000 accounts): the publisher syncs once before it moves
/// the folder into place.
enum TextFile {
    /// Writes text that is produced in pieces in writes of about a megabyte, so a large file (a
    /// 300,000-row CSV, a fleet page of 10,000 accounts) is never one string in memory.
    static func write(to url: URL, _ produce: ((String) throws -> Void) throws -> Void) throws {
        let file = try open(url)
        defer { try? file.close() }
        var buffer = ""
        do {
            try produce { piece in
                buffer += piece
                if buffer.utf8.count >= 1 << 20 {
                    try file.writeAll(buffer.utf8)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try file.writeAll(buffer.utf8)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError("cannot write \(url.path): \(error)")
        }
    }

    /// Writes `text`, already whole (a page, a stylesheet), in one write.
    static func write(_ text: String, to url: URL) throws {
        let file = try open(url)
        defer { try? file.close() }
        do {
            try file.writeAll(text.utf8)
        } catch {
            throw ReportError("cannot write \(url.path): \(error)")
        }
    }

    /// Creates (or empties) the file with one `open`: Foundation's `createFile` writes a
    /// temporary file and renames it into place, four times the system calls for each of a
    /// night's 10,000 pages, in a folder that nobody reads until it is published.
    private static func open(_ url: URL) throws -> FileDescriptor {
        do {
            return try FileDescriptor.open(
                FilePath(url.path), .writeOnly, options: [.create, .truncate],
                permissions: [.ownerReadWrite, .groupReadWrite, .otherReadWrite])  // less the umask, as Foundation does
        } catch {
            throw ReportError("cannot write \(url.path): \(error)")
        }
    }
}
