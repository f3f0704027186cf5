# fpreport: `make demo` and `make test` are the two set-up commands.
SWIFT ?= swift
BIN := .build/debug/fpreport

.PHONY: all deps build demo test bench check-outputs clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(SWIFT) build --product fpreport

# Simulates 14 nights over 40 accounts on the embedded simulator and writes the report.
demo: build
	$(BIN) demo --accounts 40 --days 14 --out Reports --formats $(or $(FORMATS),csv,xlsx,html)

test: deps
	$(SWIFT) test

clean:
	rm -rf .build data Reports/20* Reports/latest Reports/index.html
