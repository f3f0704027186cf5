import BatchMetrics
import CXLSXWriter
import FPModel
import Foundation
import HistoryStore
import SQLiteHistory
import Reports

/// Metrics over a long synthetic history, then each report format, and libxlsxwriter alone.
enum ReportScenario {
    static let start: Int64 = 1_790_000_000

    /// Writes the synthetic history into `database` (its own process, so its memory is not the report's).
    static func generate(
        accounts: Int, nights: Int, stuckShare: Double = 0.01, managers: Int = 10, runsPerDay: Int = 1, database: String
    ) async throws {
        try? FileManager.default.removeItem(atPath: database)
        let store = try SQLiteHistoryStore(path: database)
        let synthetic = SyntheticHistory(
            accounts: accounts, nights: nights, stuckShare: stuckShare, start: start, managers: managers, runsPerDay: runsPerDay)
        var totals = SyntheticHistory.Totals()
        let generation = try await Measure.run { totals = try await synthetic.write(into: store) }
        emit("synthetic history, \(label(accounts, nights, managers: managers, runsPerDay: runsPerDay))", "generation", generation.wall, "s",
             "\(totals.events) events, \(totals.batches) batches")
    }

    /// Times making 1,000 empty files beside the report's folder, and says so: about 50 ms
    /// normally, but right after many files there were deleted, ext4 passes over the freed
    /// inodes for minutes and each new file costs a few tenths of a millisecond more, which the
    /// report's 10,000 files would carry into every figure. Returns the probe's folder, for the
    /// caller to remove once the reports are written (removing it now would cause just that).
    static func probeFileCreation(beside report: URL, history: String) throws -> URL {
        let probe = report.deletingLastPathComponent().appendingPathComponent(".fpreport-bench-probe-\(getpid())")
        try FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
        let started = ContinuousClock.now
        for index in 0..<1_000 {
            let descriptor = open(probe.appendingPathComponent("f\(index)").path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
            if descriptor >= 0 { close(descriptor) }
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        emit("report, \(history)", "creating 1,000 empty files beside the report", seconds, "s",
             seconds > 0.2 ? "SLOW: recently deleted files nearby? every figure below includes it" : "about 0.05 normally")
        return probe
    }

    /// A history's sizes, as every scenario's name carries them (results are grouped by name).
    static func label(_ accounts: Int, _ nights: Int, managers: Int = 10, runsPerDay: Int = 1) -> String {
        "\(accounts) accounts × \(nights) nights (≈4 new batches a day each)" + (managers == 10 ? "" : ", \(managers) managers")
            + (runsPerDay == 1 ? "" : ", \(runsPerDay) runs a day")
    }

    /// Metrics and every format over a history that `generate` wrote.
    static func run(accounts: Int, nights: Int, database: String, formats: [ReportFormat]) async throws {
        try await run(accounts: accounts, nights: nights, store: try SQLiteHistoryStore(path: database), formats: formats)
    }

    /// The report of the synthetic history's last night from `store`; `backend` names it in the results.
    static func run(accounts: Int, nights: Int, store: any HistoryReader, backend: String = "", formats: [ReportFormat]) async throws {
        // Within a suite, the output stays until the suite ends (see `Bench.all`): ext4 passes over
        // inodes freed in the last minutes when it makes new ones, and a run writing its 10,000
        // files beside the 10,000 just removed by the one before spent 7-9 s in the kernel instead
        // of 2, which no nightly run meets (its neighbours were removed a day before, if at all).
        let scratch = ProcessInfo.processInfo.environment["FPREPORT_BENCH_SCRATCH"]
        let folder = (scratch.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory)
            .appendingPathComponent("fpreport-bench-report-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if scratch == nil { try? FileManager.default.removeItem(at: folder) } }
        let managers = Set(try await store.accounts().map(\.manager).filter { !$0.isEmpty }).count
        let zone = TimeZone(identifier: "UTC")!
        let window = ReportWindow(containing: Date(unixSeconds: start + Int64(nights - 1) * 86_400), timeZone: zone)
        let runsPerDay = try await store.runs(from: window.start, to: window.end).count
        let history = label(accounts, nights, managers: managers, runsPerDay: runsPerDay) + backend

        let engine = MetricsEngine(history: store)
        var night: NightMetrics?
        var trends: Trends?
        emit("metrics, \(history)", "memory before metrics", Measure.peakMiB(), "MiB")
        let nightTime = try await Measure.run { night = try await engine.night(window) }
        emit("metrics, \(history)", "peak memory after one night", Measure.peakMiB(), "MiB")
        let trendTime = try await Measure.run { trends = try await engine.trends(endingWith: window) }
        emit("metrics, \(history)", "one night (figures, flags, batch states)", nightTime.wall, "s")
        emit("metrics, \(history)", "30-day trends, per account and fleet", trendTime.wall, "s")
        emit("metrics, \(history)", "peak memory after metrics", Measure.peakMiB(), "MiB")
        guard let night, let trends else { return }
        let data = ReportData(night: night, trends: trends, thresholds: .init(), toolVersion: "bench")
        emit("metrics, \(history)", "batches in the night's tables", Double(night.batches.count), "rows")

        // The whole night as `fpreport report` writes it: every format, manager workbooks and pages.
        // FPREPORT_BENCH_KEEP=DIR keeps the full report there, to look at what it wrote.
        let keep = ProcessInfo.processInfo.environment["FPREPORT_BENCH_KEEP"]
        let full = keep.map { URL(fileURLWithPath: $0) } ?? folder.appendingPathComponent("full")
        try FileManager.default.createDirectory(at: full, withIntermediateDirectories: true)
        let probe = try probeFileCreation(beside: full, history: history)
        defer { try? FileManager.default.removeItem(at: probe) }
        var files: [String] = []
        let writing = try Measure.runSync { files = try ReportBuilder(formats: Set(formats)).write(data, into: full) }
        let bytes = files.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: full.appendingPathComponent(file).path)[.size] as? Int) ?? 0)
        }
        emit("report, \(history)", "full report: metrics and every format", nightTime.wall + trendTime.wall + writing.wall, "s", "target ≤ 15")
        emit("report, \(history)", "writing every format (CPU seconds, both cores)", writing.cpu, "s")
        emit("report, \(history)", "output size", Double(bytes) / 1_000_000, "MB", "target ≤ 60")
        emit("report, \(history)", "output files", Double(files.count), "files", "target ≤ accounts + 200")
        emit("report, \(history)", "peak memory after the full report", Measure.peakMiB(), "MiB", "target ≤ 150 MB")
        if keep == nil { try? FileManager.default.removeItem(at: full) }

        // FPREPORT_BENCH_FULL_ONLY=1 skips the per-format runs and the baseline below.
        if ProcessInfo.processInfo.environment["FPREPORT_BENCH_FULL_ONLY"] == "1" { return }
        for format in formats {
            let out = folder.appendingPathComponent("out-\(format.rawValue)")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let measured = try Measure.runSync { _ = try ReportBuilder(formats: [format]).write(data, into: out) }
            emit("report, \(history)", format.rawValue, measured.wall, "s",
                 format == .xlsx ? "report.xlsx and \(data.managers.count) manager workbooks" : "")
            emit("report, \(history)", "peak memory after \(format.rawValue)", Measure.peakMiB(), "MiB")
        }
        // The baseline below holds every table at once; fpreport's own peak is measured before it.
        emit("report, \(history)", "peak memory", Measure.peakMiB(), "MiB")
        if formats.contains(.xlsx) {
            // report.xlsx alone, against libxlsxwriter writing the same cells with no logic around it.
            let alone = folder.appendingPathComponent("alone")
            try FileManager.default.createDirectory(at: alone, withIntermediateDirectories: true)
            var single = data
            single.night.accounts = single.night.accounts.map { var a = $0; a.manager = ""; return a }
            let ours = try Measure.runSync { _ = try ReportBuilder(formats: [.xlsx]).write(single, into: alone) }
            let tables = ReportTables.all(data)
            let raw = try Measure.runSync {
                try RawXLSX.write(tables, to: folder.appendingPathComponent("raw.xlsx").path, constantMemory: data.night.batches.count > 20_000)
            }
            emit("report, \(history)", "report.xlsx alone", ours.wall, "s")
            emit("report, \(history)", "libxlsxwriter alone, same cells", raw.wall, "s")
            emit("report, \(history)", "report.xlsx / libxlsxwriter", ours.wall / raw.wall, "×", "target ≤ 1.5")
        }
    }
}

extension Measure {
    static func runSync(_ body: () throws -> Void) rethrows -> Measurement {
        let cpu0 = cpuSeconds()
        let wall0 = ContinuousClock.now
        try body()
        return Measurement(wall: (ContinuousClock.now - wall0).inSeconds, cpu: cpuSeconds() - cpu0)
    }
}

/// The same cells as fpreport's sheets (header and values), written with bare libxlsxwriter calls.
enum RawXLSX {
    /// An Excel serial for `YYYY-MM-DD` by civil-date arithmetic (as cheap as it gets, so the
    /// baseline stays a baseline).
    static func serial(_ day: String) -> Double {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return 0 }
        let (year, month, dayOfMonth) = (parts[0], parts[1], parts[2])
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + dayOfMonth - 1
        return Double(era * 146_097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719_468 + 25_569)
    }

    static func write(_ tables: [Table], to path: String, constantMemory: Bool) throws {
        var options = lxw_workbook_options()
        options.constant_memory = constantMemory ? 1 : 0
        guard let workbook = workbook_new_opt(path, &options) else { throw CocoaError(.fileWriteUnknown) }
        for table in tables {
            let sheet = workbook_add_worksheet(workbook, table.name)
            for (column, declared) in table.columns.enumerated() { worksheet_write_string(sheet, 0, lxw_col_t(column), declared.label, nil) }
            for (index, row) in table.rows.enumerated() {
                let r = lxw_row_t(index + 1)
                for (column, cell) in row.enumerated() {
                    let c = lxw_col_t(column)
                    switch cell {
                    case .text(let text): worksheet_write_string(sheet, r, c, text, nil)
                    case .integer(let value): worksheet_write_number(sheet, r, c, Double(value), nil)
                    case .fraction(let value), .decimal(let value): worksheet_write_number(sheet, r, c, value, nil)
                    case .timestamp(let seconds): worksheet_write_number(sheet, r, c, Double(seconds) / 86_400 + 25_569, nil)
                    case .date(let day): worksheet_write_number(sheet, r, c, serial(day), nil)
                    case .empty: break
                    }
                }
            }
        }
        guard workbook_close(workbook) == LXW_NO_ERROR else { throw CocoaError(.fileWriteUnknown) }
    }
}
