// swift-tools-version:6.1
import PackageDescription

/// fpreport: nightly FirstPromoter batch-process reports.
///
/// Modules depend in one direction only:
/// FPModel <- FirstPromoterAPI <- Collector -> HistoryStore <- BatchMetrics <- Reports <- FPReportJobs <- fpreport
/// The simulator (APISimulator) is used only by FPReportJobs (demo, simulate) and the tests.
let package = Package(
    name: "fpreport",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fpreport", targets: ["fpreport"]),
        // For the benchmark package in Benchmarks/, which measures the libraries directly.
        .library(
            name: "FPReportLibraries",
            targets: [
                "FPModel", "FirstPromoterAPI", "HistoryStore", "SQLiteHistory", "PostgresHistory", "HistoryBackends", "Collector", "BatchMetrics",
                "Reports", "XLSXWriter", "APISimulator", "FPConfig", "FPReportJobs",
            ]
        ),
        // The raw C library, for the benchmark's "libxlsxwriter alone" baseline.
        .library(name: "CXLSXWriter", targets: ["CXLSXWriter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The history in PostgreSQL beyond one host (SPEC section 3.1): its connection pool, COPY-free
        // bulk writes through arrays, and advisory locks.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Already under postgres-nio, async-http-client and Hummingbird; named so a connection that
        // fails says why in words (refused, timed out, a name that does not resolve).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        // Already under postgres-nio and async-http-client; named for the `sslmode` TLS settings.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Already under Hummingbird; named so the simulator can build the `Account-ID` header name.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Already under Hummingbird; lets the simulator shut down gracefully instead of by cancellation.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Already under swift-nio; lets the report create its 10,000 files with one open each
        // (Foundation's createFile writes a temporary file and renames it) without unsafe code.
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // Domain types shared by every layer: statuses, outcomes, accounts. No dependencies.
        .target(name: "FPModel"),

        // The hand-written API client (SPEC section 1).
        .target(
            name: "FirstPromoterAPI",
            dependencies: [
                "FPModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // YAML + CSV configuration, validated with errors naming file, line and key.
        .target(
            name: "FPConfig",
            dependencies: ["FPModel", .product(name: "Yams", package: "Yams")]
        ),

        // The history's interface (SPEC section 3): what collector, metrics, reports and jobs read
        // and write, with its value types. No database in it.
        .target(name: "HistoryStore", dependencies: ["FPModel"]),

        // The history in SQLite, through GRDB: the only module that sees SQL or a database handle.
        .target(
            name: "SQLiteHistory",
            dependencies: [
                "FPModel", "HistoryStore", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for reading millions of cells in place (SQLiteText).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),

        // The history in PostgreSQL, through postgres-nio: the same tables and behaviour as SQLite's.
        .target(
            name: "PostgresHistory",
            dependencies: [
                "FPModel", "HistoryStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Chooses the backend from the configuration, so that nothing else names one.
        .target(name: "HistoryBackends", dependencies: ["HistoryStore", "SQLiteHistory", "PostgresHistory"]),

        // Bounded fan-out over accounts, status attribution, one transaction per account.
        .target(
            name: "Collector",
            dependencies: [
                "FPModel", "FirstPromoterAPI", "HistoryStore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Pure metric computations over the store's query results (SPEC section 4).
        .target(name: "BatchMetrics", dependencies: ["FPModel", "HistoryStore"]),

        // libxlsxwriter: the system library and the one Swift module that imports it.
        .systemLibrary(
            name: "CXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .target(name: "XLSXWriter", dependencies: ["CXLSXWriter"]),

        // CSV, XLSX and HTML report builders and atomic publishing (SPEC section 5).
        .target(
            name: "Reports",
            dependencies: [
                "FPModel", "HistoryStore", "BatchMetrics", "XLSXWriter", .product(name: "SystemPackage", package: "swift-system"),
            ]),

        // The simulated FirstPromoter API (SPEC section 7).
        .target(
            name: "APISimulator",
            dependencies: [
                "FPModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // What each subcommand does, as library code the tests can drive.
        .target(
            name: "FPReportJobs",
            dependencies: [
                "FPModel", "FPConfig", "FirstPromoterAPI", "HistoryStore", "HistoryBackends", "Collector",
                "BatchMetrics", "Reports", "APISimulator",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The thin command line: parses arguments, prints, maps errors to exit codes.
        .executableTarget(
            name: "fpreport",
            dependencies: [
                "FPReportJobs", "FPConfig", "FPModel", "Collector", "HistoryStore", "BatchMetrics", "Reports", "APISimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Helpers only the tests use: temporary folders and a scripted HTTP server.
        .target(
            name: "FPTestSupport",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/FPTestSupport"
        ),

        .testTarget(name: "FPModelTests", dependencies: ["FPModel"]),
        .testTarget(
            name: "FirstPromoterAPITests",
            dependencies: ["FirstPromoterAPI", "APISimulator", "FPModel", "FPTestSupport"]
        ),
        .testTarget(name: "FPConfigTests", dependencies: ["FPConfig", "FPModel", "FPTestSupport"]),
        .testTarget(
            name: "HistoryStoreTests",
            dependencies: [
                "HistoryStore", "SQLiteHistory", "PostgresHistory", "FPModel", "FPTestSupport", "BatchMetrics", "Reports",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "APISimulatorTests", dependencies: ["APISimulator", "FPModel", "FPTestSupport"]),
        .testTarget(
            name: "CollectorTests",
            dependencies: [
                "Collector", "FirstPromoterAPI", "HistoryStore", "SQLiteHistory", "APISimulator", "FPModel", "FPTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "BatchMetricsTests", dependencies: ["BatchMetrics", "HistoryStore", "SQLiteHistory", "FPModel"]),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "BatchMetrics", "HistoryStore", "SQLiteHistory", "FPModel", "FPTestSupport", "XLSXWriter"],
            // Read through #filePath, so a re-recording lands in the source tree, not a bundle.
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "FPReportJobsTests",
            dependencies: [
                "FPReportJobs", "FPConfig", "HistoryStore", "SQLiteHistory", "PostgresHistory", "HistoryBackends", "APISimulator", "FPModel",
                "FPTestSupport", "Collector",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
