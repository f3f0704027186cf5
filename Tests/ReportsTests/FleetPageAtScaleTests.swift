import BatchMetrics
import FPModel
import FPTestSupport
import Foundation
import HistoryStore
import SQLiteHistory
import Testing

@testable import Reports

/// The fleet page of a large fleet: no account rows in its DOM, accounts in pages that read
/// without script, and a filter that works in a real browser.
@Suite(.serialized) struct FleetPageAtScaleTests {
    static let chromium = "/usr/bin/chromium"
    static let accounts = 1_200

    /// A three-night history of 1,200 accounts, reported as HTML into a temporary folder.
    func report() async throws -> (TemporaryDirectory, ReportData, [String]) {
        let start: Int64 = 1_790_000_000
        let store = try SQLiteHistoryStore.inMemory()
        try await SyntheticHistory(accounts: Self.accounts, nights: 3, start: start).write(into: store)
        let window = ReportWindow(containing: Date(unixSeconds: start + 2 * 86_400), timeZone: .gmt)
        let engine = MetricsEngine(history: store)
        let data = ReportData(
            night: try await engine.night(window), trends: try await engine.trends(endingWith: window, days: 7),
            thresholds: .init(), toolVersion: "test")
        let folder = try TemporaryDirectory()
        let files = try ReportBuilder(formats: [.html]).write(data, into: folder.url)
        return (folder, data, files)
    }

    /// The DOM Chromium builds from `url`, with or without script.
    func dom(_ url: String, script: Bool = true) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=3000",
                             "--user-data-dir=\(NSTemporaryDirectory())fpreport-chromium-\(getpid())"]
            + (script ? [] : ["--blink-settings=scriptEnabled=false"]) + ["--dump-dom", url]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: out.fileHandleForReading.readDataToEndOfFile()) }
        }
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// Cells carry no sort keys: the shared script sorts by their text, numbers without their
    /// thousands separators and units, a gap below every number, times by their instant.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: chromium), "needs Chromium (apt-get install chromium)"))
    func tablesSortByTheirCellsTextInChromium() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.path("assets"), withIntermediateDirectories: true)
        try Assets.scriptText.write(toFile: folder.path("assets/\(Assets.script)"), atomically: true, encoding: .utf8)
        // 02:10+01:00 is after 02:30+02:00 (the hour of the autumn clock change): text order would say otherwise.
        let rows = [
            ["a", "1,200", "2026-10-25 02:30:00+02:00"], ["b", "–", "2026-10-25 02:10:00+01:00"], ["c", "95 %", "2026-10-24 23:00:00+02:00"],
        ]
        let table = HTML.table(caption: "t", headers: [("Name", false), ("Count", true), ("Since", false)], rows: rows, id: "t")
        // After the shared script has run (it is deferred, so it runs first), sort by one column and
        // note the order, then by the other.
        let probe = """
            <script>addEventListener("DOMContentLoaded",function(){var b=document.querySelectorAll("#t thead button");\
            function order(){return Array.prototype.map.call(document.querySelectorAll("#t tbody th"),function(c){return c.textContent}).join("")}\
            b[1].click();var byCount=order();b[2].click();document.body.dataset.result=byCount+"/"+order()})</script>
            """
        let page = HTML.pageStart(title: "sort", root: "") + table + probe + HTML.pageEnd(footer: "")
        try page.write(toFile: folder.path("sort.html"), atomically: true, encoding: .utf8)
        let dom = try await dom("file://\(folder.path("sort.html"))")
        #expect(dom.contains("data-result=\"bca/cab\""))
    }

    @Test func theFleetPageHoldsNoAccountRowsAndLinksEveryAccountThroughItsPages() async throws {
        let (folder, data, files) = try await report()
        defer { folder.remove() }
        let page = try String(contentsOfFile: folder.path("index.html"), encoding: .utf8)
        #expect(!page.contains("id=\"accounts-table\""))
        #expect(page.contains("<link rel=\"stylesheet\" href=\"assets/report.css\">"))
        #expect(!page.contains("<style>"), "one stylesheet per night, not one per page")
        let pages = (1...3).map { "browse/all-\($0).html" }
        #expect(pages.allSatisfy(files.contains))
        #expect(!files.contains("browse/all-4.html"))
        var linked = 0
        for browse in pages {
            #expect(page.contains("href=\"\(browse)\""))
            let text = try String(contentsOfFile: folder.path(browse), encoding: .utf8)
            linked += count("<a href=\"../accounts/", in: text)
            #expect(text.contains("href=\"../assets/report.css\""))
        }
        #expect(linked == data.night.accounts.count)
        // One file per account page and a few more: the chart data travels inside the pages.
        #expect(files.count <= data.night.accounts.count + 20)
        #expect(!files.contains { $0.hasSuffix(".csv") })
        let account = try String(contentsOfFile: folder.path("accounts/\(Slug.make("acc-00007")).html"), encoding: .utf8)
        #expect(account.contains("href=\"data:text/csv;charset=utf-8,date,completed,failed,stopped%0D%0A"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: chromium), "needs Chromium (apt-get install chromium)"))
    func theFilterFindsAccountsInChromiumAndThePagesReadWithoutScript() async throws {
        let (folder, data, _) = try await report()
        defer { folder.remove() }
        let query = "acc-0111"
        let expected = data.night.accounts.filter {
            [$0.accountID, $0.name, $0.manager].contains { $0.lowercased().contains(query) }
        }
        #expect(expected.count == 10)

        // With script: the filter, opened as index.html#find=…, lists exactly the matching accounts.
        let filtered = try await dom("file://\(folder.path("index.html"))#find=\(query)")
        #expect(filtered.contains("\(expected.count) matching account(s)"))
        #expect(count("<a href=\"accounts/", in: filtered) >= expected.count)
        for account in expected {
            #expect(filtered.contains("<a href=\"accounts/\(Slug.make(account.accountID)).html\">\(account.accountID)</a>"))
        }
        #expect(!filtered.contains(">acc-01120</a>"))

        // Without script (the same pages with their script elements taken out, rendered by Chromium):
        // the filter stays hidden, and the pages of the index list every account.
        func withoutScript(_ file: String) throws -> String {
            let text = try String(contentsOfFile: folder.path(file), encoding: .utf8)
            let plain = text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("<script") }.joined(separator: "\n")
            #expect(!plain.contains("<script"))
            let name = file.replacingOccurrences(of: ".html", with: "-plain.html")
            _ = try folder.write(plain, to: name)
            return "file://\(folder.path(name))"
        }
        let plain = try await dom(try withoutScript("index.html"))
        #expect(plain.contains("<form id=\"account-filter\""))
        #expect(plain.contains("hidden=\"\">"))
        #expect(!plain.contains("matching account(s)"))
        #expect(plain.contains("<a href=\"browse/all-2.html\">acc-00501 – acc-01000</a>"))
        let first = try await dom(try withoutScript("browse/all-1.html"))
        #expect(count("<a href=\"../accounts/", in: first) == FleetPage.pageSize)
        #expect(first.contains(">acc-00001</a>"))
    }
}
