import Foundation

/// A fresh folder under the system's temporary directory, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(_ label: String = "fpreport-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ component: String) -> String { url.appendingPathComponent(component).path }

    public func write(_ text: String, to component: String) throws -> String {
        let file = url.appendingPathComponent(component)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// Every regular file below `component` ("" for the whole folder), by its path relative to it.
    public func files(under component: String = "") throws -> [String: Data] {
        let root = url.appendingPathComponent(component)
        var files: [String: Data] = [:]
        for case let file as String in FileManager.default.enumerator(atPath: root.path) ?? .init() {
            var isDirectory: ObjCBool = false
            let path = root.appendingPathComponent(file).path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[file] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
