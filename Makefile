# HepaBus: the two commands of the README, and a few more.
SWIFT ?= swift
INTEROP_VENV := .venv-interop

.PHONY: all deps demo test boundaries doc-coverage unit-test example exhaustive interop docs api-check bench circuit-bench protocols presets fuzz fuzz-ci clean

all: demo

deps:
	@bash Tools/install-deps.sh

## The main job: a live demonstration through the real stack.
demo: deps
	$(SWIFT) build --product hepabus
	$$($(SWIFT) build --show-bin-path)/hepabus demo

## Every test: module boundaries, every public symbol documented, the Swift suites, the
## example controller (its own package), the interlock's exhaustive exploration (optimised),
## interoperability with an independent Modbus stack (pymodbus), the documentation built,
## then the public API against the last release (semantic versioning).
test: deps boundaries doc-coverage unit-test example exhaustive interop docs api-check

## Module boundaries (docs/ARCHITECTURE.md, rule 1): C imported and called only where allowed,
## no C type in a library module's public API (its symbol graph). Fails naming file:line.
## The check first proves itself on a scratch tree of planted violations.
boundaries:
	bash Tools/check-boundaries.sh --self-test
	bash Tools/check-boundaries.sh

# Every public symbol of the library modules has a doc comment (Tools/doc-coverage.py lists
# those that lack one as file:line). Builds the package first (shared with unit-test's build).
doc-coverage: deps
	python3 Tools/doc-coverage.py

# One test at a time: many tests cross real ptys and sockets with deadlines, and on a
# 2-core machine parallel tests that block would starve each other's timers.
unit-test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel --skip Exhaustive

# The example controller, a package of its own linking HepaBus by path, as a controller team
# would: built and run against the simulator; the README's controller sample must be its
# main.swift verbatim.
EXAMPLE := Examples/Controller
example: deps
	bash Tools/check-verbatim.sh
	$(SWIFT) build --package-path $(EXAMPLE)
	$$($(SWIFT) build --package-path $(EXAMPLE) --show-bin-path)/Controller

# The bounded exhaustive exploration of the interlock's event sequences, built optimised.
exhaustive:
	$(SWIFT) build -c release --build-tests -Xswiftc -enable-testing
	$(SWIFT) test -c release --skip-build --filter Exhaustive

$(INTEROP_VENV)/.installed: Tests/Interop/requirements.txt
	python3 -m venv $(INTEROP_VENV)
	$(INTEROP_VENV)/bin/pip install -q -r Tests/Interop/requirements.txt
	touch $@

interop: deps $(INTEROP_VENV)/.installed
	$(SWIFT) build --product hepabus
	HEPABUS=$$($(SWIFT) build --show-bin-path)/hepabus $(INTEROP_VENV)/bin/python -m pytest -q Tests/Interop

# The library products' public API against the last release tag (Tools/api-check.sh).
api-check: deps
	bash Tools/api-check.sh

## The documentation (DocC): the catalog Sources/HepaBus/HepaBus.docc (articles, and the
## landing page linking every module) and the reference of each module of the products,
## built together so pages link across modules; a broken link or an undocumented parameter
## fails the build. Output: .build/docs, a static site (serve the folder, open /documentation/hepabus).
DOC_TARGETS := HepaBus Circuit CircuitConfiguration Interlock Journal Drivers HardwareInterfaces FirmwareProtocols \
	BusRuntime Modbus Serial DeviceDiscovery Simulator HardwareTesting
docs: deps
	$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation \
		$(addprefix --target ,$(DOC_TARGETS)) --enable-experimental-combined-documentation \
		--warnings-as-errors --output-path .build/docs

## Regenerate Sources/CircuitConfiguration/Generated/PresetTexts.swift from Presets/*.yaml.
presets:
	bash Tools/presetgen/generate.sh

## Regenerate Sources/FirmwareProtocols/Generated and firmware-protocols/*.md from the YAML.
protocols:
	$(SWIFT) build --product hepabus-protocolgen
	$$($(SWIFT) build --show-bin-path)/hepabus-protocolgen .

## Transport benchmark: the Swift stack against bare libmodbus (machine-readable figures).
bench: deps
	$(SWIFT) build -c release --product hepabus-bench
	$(SWIFT) build -c release --product bare-libmodbus-bench
	$$($(SWIFT) build -c release --show-bin-path)/hepabus-bench transport --json

## The supervised circuit's benchmarks in one run: reaction time per SR row, bus
## efficiency, then a 10-minute soak (CPU and memory); one JSON object per benchmark.
circuit-bench: deps
	$(SWIFT) build -c release --product hepabus-bench
	$(SWIFT) build -c release --product hepabus
	$$($(SWIFT) build -c release --show-bin-path)/hepabus-bench reaction --json
	$$($(SWIFT) build -c release --show-bin-path)/hepabus-bench bus-efficiency --json
	$$($(SWIFT) build -c release --show-bin-path)/hepabus-bench bus-efficiency --saturated --json
	$$($(SWIFT) build -c release --show-bin-path)/hepabus-bench soak --json

## libFuzzer on every decoder of outside input (Fuzz/): one JSON line per target.
## FUZZ_SECONDS per target (default 60), or FUZZ_RUNS executions; fails on any finding.
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) bash Tools/fuzz.sh

## The same, 30 s per target.
fuzz-ci: deps
	FUZZ_SECONDS=30 bash Tools/fuzz.sh

clean:
	rm -rf .build .build-fuzz $(EXAMPLE)/.build $(INTEROP_VENV)
