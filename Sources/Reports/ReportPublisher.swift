import Foundation

/// Puts a finished report folder in place so a reader never sees half a report.
///
/// The folder is built beside its final place (same file system), then renamed; an existing folder
/// for the same date is moved aside first and removed after. `latest` is a symlink replaced by a
/// rename, which is atomic. A failed build leaves the previous report as it was.
public struct ReportPublisher: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// Builds `Reports/<date>/` with `build` (given the temporary folder) and publishes it.
    @discardableResult
    public func publish(date: String, build: (URL) throws -> Void) throws -> URL {
        let files = FileManager.default
        guard Self.isSafeName(date) else { throw ReportError("refusing to publish a report named \"\(date)\"") }
        do {
            try files.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw ReportError("cannot create the report folder \(root.path): \(error.localizedDescription)")
        }
        let token = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let building = root.appendingPathComponent(".building-\(date)-\(token)")
        let final = root.appendingPathComponent(date)
        let aside = root.appendingPathComponent(".replaced-\(date)-\(token)")
        do {
            try files.createDirectory(at: building, withIntermediateDirectories: false)
            try build(building)
        } catch {
            try? files.removeItem(at: building)
            throw error
        }
        do {
            // One sync for the whole folder (its files are written without one each), before the
            // rename makes it visible: after a crash the night is either whole or not there.
            Self.syncFileSystem(of: building)
            let replacing = files.fileExists(atPath: final.path)
            if replacing { try files.moveItem(at: final, to: aside) }
            try files.moveItem(at: building, to: final)
            if replacing { try? files.removeItem(at: aside) }
            try updateLatest(date: date)
            try writeArchive()
        } catch {
            try? files.removeItem(at: building)
            throw ReportError("cannot publish \(final.path): \(error.localizedDescription)")
        }
        return final
    }

    /// Points `latest` at `date` unless it already points at a later night (a backfill does not move it).
    func updateLatest(date: String) throws {
        let files = FileManager.default
        let latest = root.appendingPathComponent("latest")
        if let current = try? files.destinationOfSymbolicLink(atPath: latest.path), current > date { return }
        let temporary = root.appendingPathComponent(".latest-\(getpid())")
        try? files.removeItem(at: temporary)
        try files.createSymbolicLink(atPath: temporary.path, withDestinationPath: date)
        guard rename(temporary.path, latest.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? files.removeItem(at: temporary)
            throw ReportError("cannot update \(latest.path): \(reason)")
        }
    }

    /// The night `latest` points to, if any.
    public func latestDate() -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("latest").path)
    }

    /// Rewrites `index.html`, the archive of nights, by writing a temporary file and renaming it.
    public func writeArchive() throws {
        let temporary = root.appendingPathComponent(".index-\(getpid()).html")
        try Data(ArchivePage.render(dates: publishedDates()).utf8).write(to: temporary)
        guard rename(temporary.path, root.appendingPathComponent("index.html").path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw ReportError("cannot update \(root.path)/index.html: \(String(cString: strerror(errno)))")
        }
    }

    /// Published dates, newest first (folders named `YYYY-MM-DD`).
    public func publishedDates() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { $0.count == 10 && $0.utf8.allSatisfy { $0 == 0x2D || (0x30...0x39).contains($0) } }
            .sorted(by: >)
    }

    /// Flushes written files to disk once, for the whole folder. (`syncfs`, which would flush
    /// only this file system, is not exported by Swift's Glibc module; one `sync` a night is cheap.)
    static func syncFileSystem(of folder: URL) {
        sync()
    }

    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.utf8.allSatisfy {
            $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
        }
    }
}

/// Why a report could not be built or published.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
