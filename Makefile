# fpreport: `make demo` and `make test` are the two set-up commands.
SWIFT ?= swift
BIN := .build/debug/fpreport
FORMATS ?= csv,xlsx,html

.PHONY: all deps build demo test bench bench-quick check-outputs install deb clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build --product fpreport

# Simulates 14 nights over 40 accounts on the embedded simulator and writes the report.
demo: build
	$(BIN) demo --accounts 40 --days 14 --out Reports --formats $(FORMATS)

# The large tests (suites named *AtScale*: long histories, a million-row sheet, a browser) run
# after the others, so they do not starve the collector's timing-sensitive tests of the 2 cores.
test: deps
	@# Every module a target imports must be declared in Package.swift.
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error
	@# One throwaway PostgreSQL server (in a temporary folder, on a free loopback port) for the
	@# conformance tests of the PostgreSQL history; without one they are skipped, not failed.
	scripts/with-postgres.sh sh -c '$(SWIFT) test --skip AtScale && $(SWIFT) test --filter AtScale'

# The benchmark suite (its own package in Benchmarks/, release build); results go in BENCHMARKS.md.
# Each scenario runs BENCH_RUNS times (about 12 minutes a round on 2 cores); the table shows the median and the range.
BENCH_RUNS ?= 3
bench: deps
	@# SwiftPM keeps the path dependency's file list between builds: a new source file would be missed.
	rm -f Benchmarks/.build/*/release/description.json
	cd Benchmarks && $(SWIFT) build -c release --product fpreport-bench
	@# With a throwaway PostgreSQL for the PostgreSQL scenarios (see scripts/with-postgres.sh).
	scripts/with-postgres.sh Benchmarks/.build/release/fpreport-bench all --repetitions $(BENCH_RUNS)

# The same scenarios at a tenth of the size, as a quick check that they run.
bench-quick: deps
	@# SwiftPM keeps the path dependency's file list between builds: a new source file would be missed.
	rm -f Benchmarks/.build/*/release/description.json
	cd Benchmarks && $(SWIFT) build -c release --product fpreport-bench
	Benchmarks/.build/release/fpreport-bench all --quick

# Runs the demo's reports through LibreOffice, openpyxl, the Nu validator and Chromium.
check-outputs: demo
	scripts/check-outputs.sh

# A binary that starts on a server without the Swift toolchain: the Swift runtime and Foundation
# linked in (--static-swift-stdlib), only system libraries (SQLite, libxlsxwriter, zlib…) loaded.
PREFIX ?= /usr/local
DESTDIR ?=
RELEASE_BIN := .build/release/fpreport
install: deps
	$(SWIFT) build -c release --static-swift-stdlib --product fpreport
	scripts/check-binary.sh $(RELEASE_BIN)
	install -D -s -m 755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/fpreport
	install -D -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/fpreport/README.md
	install -d $(DESTDIR)$(PREFIX)/share/doc/fpreport/examples
	install -m 644 config/fpreport.example.yaml config/accounts.example.csv config/fpreport.cron \
		config/fpreport-nightly.service config/fpreport-nightly.timer $(DESTDIR)$(PREFIX)/share/doc/fpreport/examples/

# dist/fpreport_VERSION_ARCH.deb, with the systemd units and Depends on the runtime libraries.
deb:
	scripts/make-deb.sh

clean:
	rm -rf .build data Reports/20* Reports/latest Reports/index.html
