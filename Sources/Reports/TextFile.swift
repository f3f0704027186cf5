import Foundation

/// Writes text that is produced in pieces to a file in writes of about a megabyte, so a large
/// file (a 300,000-row CSV, a fleet page of 10,000 accounts) is never one string in memory.
enum TextFile {
    ///
    /// Files are not synced one by one (`Data.write(to:)` calls `fsync` per file, 10,000 of them a
    /// night at 10,000 accounts): the publisher syncs once before it moves the folder into place.
    static func write(to url: URL, _ produce: ((String) throws -> Void) throws -> Void) throws {
        let handle = try open(url)
        defer { try? handle.close() }
        var buffer = ""
        do {
            try produce { piece in
                buffer += piece
                if buffer.utf8.count >= 1 << 20 {
                    try handle.write(contentsOf: Data(buffer.utf8))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try handle.write(contentsOf: Data(buffer.utf8))
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// Writes `text`, already whole (a page, a stylesheet), in one write.
    static func write(_ text: String, to url: URL) throws {
        let handle = try open(url)
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw ReportError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    private static func open(_ url: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = try? FileHandle(forWritingTo: url) else {
            throw ReportError("cannot write \(url.path)")
        }
        return handle
    }
}
