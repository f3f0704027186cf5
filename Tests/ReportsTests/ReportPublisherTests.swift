import FPTestSupport
import Foundation
import Testing

@testable import Reports

@Suite struct ReportPublisherTests {
    @Test func publishesAtomicallyAndMovesLatestForwardOnly() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let publisher = ReportPublisher(root: folder.url)
        try publisher.publish(date: "2026-11-14") { try Data("one".utf8).write(to: $0.appendingPathComponent("a.txt")) }
        try publisher.publish(date: "2026-11-13") { try Data("old".utf8).write(to: $0.appendingPathComponent("a.txt")) }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.path("latest")) == "2026-11-14")
        // Rebuilding a night replaces it whole.
        try publisher.publish(date: "2026-11-14") { try Data("two".utf8).write(to: $0.appendingPathComponent("b.txt")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("2026-11-14")) == ["b.txt"])
        #expect(publisher.publishedDates() == ["2026-11-14", "2026-11-13"])
        // No building or replaced folders are left behind.
        let hidden = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty)
    }

    @Test func aFailedBuildLeavesThePreviousReport() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let publisher = ReportPublisher(root: folder.url)
        try publisher.publish(date: "2026-11-14") { try Data("good".utf8).write(to: $0.appendingPathComponent("a.txt")) }
        #expect(throws: ReportError.self) {
            try publisher.publish(date: "2026-11-14") { _ in throw ReportError("disk full") }
        }
        #expect(try String(contentsOfFile: folder.path("2026-11-14/a.txt"), encoding: .utf8) == "good")
        let hidden = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty)
    }

    @Test(arguments: ["../etc", ".hidden", "a/b", ""])
    func refusesUnsafeNames(_ name: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        #expect(throws: ReportError.self) { try ReportPublisher(root: folder.url).publish(date: name) { _ in } }
    }
}
