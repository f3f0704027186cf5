import BatchMetrics
import FPModel
import FPTestSupport
import Foundation
import Testing

@testable import Reports

/// The reports of a fixed history: golden files, hostile text, reproducibility.
@Suite struct ReportOutputTests {
    /// Compares `actual` with the golden file `name`; `FPREPORT_RECORD_GOLDEN=1` rewrites it.
    func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["FPREPORT_RECORD_GOLDEN"] == "1" {
            try Data(actual.utf8).write(to: url)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        guard expected != actual else { return }
        let a = actual.components(separatedBy: "\n")
        let e = expected.components(separatedBy: "\n")
        let line = Array(zip(a, e)).firstIndex { $0 != $1 } ?? min(a.count, e.count)
        Issue.record(
            """
            \(name) differs from its golden file at line \(line + 1) (re-record with FPREPORT_RECORD_GOLDEN=1):
            - expected: \(line < e.count ? e[line] : "<end>")
            + actual:   \(line < a.count ? a[line] : "<end>")
            """, sourceLocation: sourceLocation)
    }

    func build(_ formats: Set<ReportFormat> = Set(ReportFormat.allCases)) async throws -> (TemporaryDirectory, [String]) {
        let store = try await ReportFixture.history()
        let data = try await ReportFixture.data(store)
        let folder = try TemporaryDirectory()
        let files = try ReportBuilder(formats: formats).write(data, into: folder.url)
        return (folder, files)
    }

    @Test func csvSetMatchesGoldenFiles() async throws {
        let (folder, files) = try await build([.csv])
        defer { folder.remove() }
        // The charts' data travels inside the pages (data: links), not as files of its own.
        #expect(files == [
            "csv/accounts.csv", "csv/batches.csv", "csv/collection.csv", "csv/daily.csv", "csv/statuses.csv", "csv/summary.csv",
        ])
        for file in files {
            try expectGolden(try String(contentsOfFile: folder.path(file), encoding: .utf8), file.replacingOccurrences(of: "/", with: "_"))
        }
    }

    @Test func fleetPageMatchesGoldenFile() async throws {
        let (folder, _) = try await build([.html])
        defer { folder.remove() }
        try expectGolden(try String(contentsOfFile: folder.path("index.html"), encoding: .utf8), "index.html")
    }

    @Test func hostileTextIsEscapedNeutralisedAndCannotLeaveTheFolder() async throws {
        let (folder, files) = try await build()
        defer { folder.remove() }
        // Slugs stay inside accounts/ and managers/.
        for file in files {
            #expect(!file.contains(".."), "\(file)")
            #expect(file.split(separator: "/").count <= 2)
        }
        let html = try String(contentsOfFile: folder.path("index.html"), encoding: .utf8)
        #expect(!html.contains("<script>alert(1)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<b>no</b>"))
        #expect(html.contains("Partial data: 1 account(s) failed to collect"))
        let accountPages = files.filter { $0.hasPrefix("accounts/") && $0.hasSuffix(".html") }
        #expect(accountPages.count == 3)
        for page in accountPages {
            let text = try String(contentsOfFile: folder.path(page), encoding: .utf8)
            #expect(!text.contains("<script>alert"))
        }
        let csv = try String(contentsOfFile: folder.path("csv/accounts.csv"), encoding: .utf8)
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\""))
        // No cell of any workbook is a formula.
        for workbook in files where workbook.hasSuffix(".xlsx") {
            let xml = try unzipText(folder.path(workbook))
            #expect(!xml.contains("<f>"), "\(workbook) has a formula")
            if workbook == "report.xlsx" { #expect(xml.contains("=HYPERLINK(")) }
        }
    }

    @Test func managerWorkbooksHoldOnlyTheirAccounts() async throws {
        let (folder, files) = try await build([.xlsx])
        defer { folder.remove() }
        let managers = files.filter { $0.hasPrefix("managers/") }
        #expect(managers.count == 2)
        let ana = try #require(managers.first { $0.hasPrefix("managers/ana-souza-") })
        let xml = try unzipText(folder.path(ana))
        #expect(xml.contains("acc-3"))
        #expect(!xml.contains("etc/passwd"))
    }

    /// A manager's collection health and time to terminal are computed from their accounts alone.
    @Test func aManagersFiguresHoldNoOtherManagersAccounts() async throws {
        let store = try await ReportFixture.history()
        let data = try await ReportFixture.data(store)
        let ana = data.scoped(toManager: "Ana Souza")
        let window = data.night.window
        let anas: Set = ["acc-1", "acc-3"]
        #expect(Set(ana.night.accounts.map(\.accountID)) == anas)
        let fetches = try await store.fetches(from: window.start, to: window.end).filter { anas.contains($0.accountID) }
        // Ana's two accounts were fetched twice each in the window, both times successfully; Ben's
        // forbidden fetch is not hers.
        #expect(ana.night.collection.fetchOutcomes == [.ok: 4])
        #expect(ana.night.collection.accountsAttempted == 2)
        #expect(ana.night.collection.accountsConfigured == 2)
        #expect(ana.night.collection.failedAccounts.isEmpty)
        #expect(ana.night.collection.requests == fetches.reduce(0) { $0 + $1.requests })
        #expect(ana.night.collection.httpStatuses == [200: 4])
        #expect(data.night.collection.fetchOutcomes[.forbidden] == 1, "the fleet still has it")
        let durations = try await store.terminalDurations(from: window.start, to: window.end).filter { anas.contains($0.accountID) }
        #expect(!durations.isEmpty)
        #expect(ana.night.timeToTerminal == DurationSummary(durations.map(\.seconds)))
        // The rows of ReportTables.collection for Ana say the same.
        let rows = CSVWriter(timeZone: .gmt).render(ReportTables.collection(ana))
        #expect(rows.contains("outcome,forbidden,0,0\r\n"))
        #expect(rows.contains("total,accounts_attempted,2,\r\n"))
    }

    @Test func sameHistorySameBytes() async throws {
        let (first, files) = try await build()
        let (second, again) = try await build()
        defer {
            first.remove()
            second.remove()
        }
        #expect(files == again)
        for file in files {
            let a = try Data(contentsOf: first.url.appendingPathComponent(file))
            let b = try Data(contentsOf: second.url.appendingPathComponent(file))
            #expect(a == b, "\(file) differs between two builds")
        }
    }

    @Test func metricsOfTheFixtureAreExact() async throws {
        let store = try await ReportFixture.history()
        let data = try await ReportFixture.data(store)
        let night = data.night
        // Runs at 04:00 and 16:00 Berlin on the 14th (steps 4 and 5).
        #expect(night.runs.count == 2)
        #expect(night.window.hours == 24)
        let first = try #require(night.accounts.first { $0.accountID == "acc-1" })
        // acc-1 (a=0): arrivals 2 and 3 finish on the 14th; arrival 3 fails ((3+0) % 3 == 0).
        #expect(first.completed == 1)
        #expect(first.failed == 1)
        #expect(first.failureRate == 0.5)
        #expect(first.stuck == 1, "batch 0001 has sat at 40 % since the first run")
        #expect(night.collection.failedAccounts.map(\.accountID) == ["../../etc/passwd"])
        #expect(night.timeToTerminal.p50 == 86_400)
        #expect(night.pollingResolutionSeconds == 43_200)
    }

    @Test func workbookSheetModelMatchesItsSnapshot() async throws {
        let (folder, _) = try await build([.xlsx])
        defer { folder.remove() }
        // The parts that carry the sheet model: sheet order, formats, panes, filters, widths,
        // conditional formats, properties. Cell data is covered by the CSV goldens.
        for part in ["xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml",
                     "xl/worksheets/sheet6.xml", "docProps/core.xml", "docProps/custom.xml", "xl/charts/chart1.xml"] {
            let text = try unzipText(folder.path("report.xlsx"), part: part)
            #expect(!text.isEmpty, "\(part) missing")
            try expectGolden(text.replacingOccurrences(of: "><", with: ">\n<"), "xlsx_" + part.replacingOccurrences(of: "/", with: "_"))
        }
    }

    /// Large reports switch libxlsxwriter to constant-memory mode (inline strings, rows flushed as
    /// written). Same history, both modes: every sheet must hold the same cells.
    @Test func constantMemoryWorkbookHoldsTheSameCells() async throws {
        let store = try await ReportFixture.history()
        let data = try await ReportFixture.data(store)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var inMemory = WorkbookReport(data: data)
        inMemory.constantMemoryThreshold = .max
        var streamed = WorkbookReport(data: data)
        streamed.constantMemoryThreshold = 0
        try inMemory.write(to: folder.url.appendingPathComponent("memory.xlsx"))
        try streamed.write(to: folder.url.appendingPathComponent("streamed.xlsx"))
        let memoryCells = try cellValues(folder.path("memory.xlsx"))
        let streamedCells = try cellValues(folder.path("streamed.xlsx"))
        #expect(memoryCells.count > 500)
        #expect(memoryCells.contains { $0.contains("=acc-") }, "account ids should be among the cells")
        #expect(memoryCells == streamedCells)
        // And the two modes really differ in how they store strings.
        #expect(try unzipText(folder.path("memory.xlsx")).contains("<sst "))
        #expect(try unzipText(folder.path("streamed.xlsx")).contains("t=\"inlineStr\""))
    }

    /// `sheetN!A1=value` for every cell with a value, shared and inline strings resolved.
    func cellValues(_ path: String) throws -> [String] {
        let script = """
            import re,sys,zipfile
            import xml.etree.ElementTree as ET
            ns={'m':'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
            z=zipfile.ZipFile(sys.argv[1])
            shared=[]
            if 'xl/sharedStrings.xml' in z.namelist():
                shared=[''.join(t.text or '' for t in si.iter('{%s}t'%ns['m'])) for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si',ns)]
            for name in sorted(n for n in z.namelist() if re.match(r'xl/worksheets/sheet\\d+.xml$',n)):
                for c in ET.fromstring(z.read(name)).iter('{%s}c'%ns['m']):
                    t=c.get('t'); v=c.find('m:v',ns)
                    if t=='s': value=shared[int(v.text)]
                    elif t=='inlineStr': value=''.join(x.text or '' for x in c.iter('{%s}t'%ns['m']))
                    elif v is not None: value=v.text
                    else: continue
                    print('%s!%s=%s'%(name.split('/')[-1],c.get('r'),value))
            """
        return try python(script, [path]).split(separator: "\n").map(String.init)
    }

    /// What `python3 -c script arguments…` prints (the XLSX parts are read with its zipfile).
    func python(_ script: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The text of every XML part of an XLSX (a zip), or of one part, via Python's zipfile.
    func unzipText(_ path: String, part: String? = nil) throws -> String {
        let select = part.map { "n == '\($0)'" } ?? "n.endswith('.xml')"
        return try python(
            "import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);sys.stdout.write(''.join(z.read(n).decode() for n in z.namelist() if \(select)))",
            [path])
    }
}
