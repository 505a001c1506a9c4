# Intake Desk: the two commands are `make run` and `make test`.
# Both install what they need first (Debian packages when root, tauri-driver into .tools/).

SHELL := /bin/bash
CARGO ?= cargo
DATA_DIR ?= $(or $(INTAKE_DESK_DATA_DIR),$(or $(XDG_DATA_HOME),$(HOME)/.local/share)/intake-desk)
TAURI_DRIVER := $(CURDIR)/.tools/bin/tauri-driver
# The window never needs a GPU; software rendering keeps WebKit quiet under Xvfb.
WEBKIT_ENV := WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 LIBGL_ALWAYS_SOFTWARE=1

.PHONY: run test deps-run deps-test tools build lint unit uitest e2e bench fuzz soak screenshot clean

## make run: build and start the app (on a demo database the first time).
run: deps-run build
	@if [ ! -e "$(DATA_DIR)/intake.db" ]; then \
	  echo "First start: creating a demo database in $(DATA_DIR)"; \
	  target/debug/intake --data-dir "$(DATA_DIR)" seed-demo; \
	fi
	@echo "Data folder: $(DATA_DIR)"
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  target/debug/intake-desk --data-dir "$(DATA_DIR)"; \
	else \
	  echo "No display found: starting the app under xvfb-run (invisible; use a desktop session to see it)."; \
	  $(WEBKIT_ENV) xvfb-run -a target/debug/intake-desk --data-dir "$(DATA_DIR)"; \
	fi

## make test: formatting, lints, every unit/integration test, the UI's state tests, then the
## end-to-end tests.
test: deps-test tools lint unit uitest e2e

deps-run:
	@scripts/ensure-deps.sh run

deps-test:
	@scripts/ensure-deps.sh test

tools:
	@scripts/ensure-tools.sh

build:
	$(CARGO) build --workspace --bins

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --features e2e -- -D warnings

# Tests run in UTC, whatever the machine's zone (an unset clinic zone is the workstation's).
# Beside a throwaway PostgreSQL cluster (scripts/with-postgres.sh, removed afterwards, also
# on failure): every test once (the store contract on both backends), then the API's suite
# again with each test on a server database of its own (INTAKE_TEST_BACKEND=postgres; the
# few tests about the data folder's file stay on SQLite by nature).
unit:
	scripts/with-postgres.sh bash -c 'TZ=UTC $(CARGO) test --workspace && \
	  TZ=UTC INTAKE_TEST_BACKEND=postgres $(CARGO) test -p intake-api'
	@cat target/soak/kills.txt target/soak/batch.txt 2>/dev/null || true

## make uitest: the UI's pure modules (tests/ui/*.test.mjs) under Node's own test runner
## (Debian's nodejs; no npm install, no browser). ui/package.json says ui/ is ES modules.
uitest:
	@command -v node >/dev/null || { echo "make uitest needs Node.js (scripts/ensure-deps.sh test installs it)" >&2; exit 1; }
	node --test tests/ui/

e2e:
	$(CARGO) build --features e2e --tests --bins
	TZ=UTC $(WEBKIT_ENV) TAURI_DRIVER="$(TAURI_DRIVER)" scripts/with-postgres.sh \
	  xvfb-run -a --server-args="-screen 0 1024x768x24" \
	  $(CARGO) test --features e2e --test e2e -- --test-threads=1
	# With the dialog seam: its own unit test, and the file commands over IPC.
	$(CARGO) test --features e2e --lib --test chart_audit --test ipc

## make bench: criterion benchmarks (figures in target/criterion/). The first run builds
## synthetic registers of 100,000 and 1,000,000 patients in target/bench-data/ (about a
## minute and a half); set INTAKE_BENCH_SIZES=100000 for a quicker run. The PDF benches
## compare with Debian's headless chromium, installed by `ensure-deps.sh bench`. The verify
## bench builds a data folder of 1,000 signed visits there once, and also times the real
## `target/release/intake verify` on it. The busy bench reads while a CLI import of 100,000
## patients runs, then backs that register up and restores it. Then the patients, intake and exports benches again on
## the clinic server (INTAKE_BENCH_BACKEND=postgres beside a throwaway cluster).
bench:
	@scripts/ensure-deps.sh bench
	$(CARGO) bench -p intake-store --bench audit
	$(CARGO) bench -p intake-api --bench patients
	$(CARGO) bench -p intake-api --bench intake
	$(CARGO) bench -p intake-core --bench carry_forward
	$(CARGO) bench -p intake-pdf --bench render
	$(CARGO) bench -p intake-pdf --bench chromium
	$(CARGO) bench -p intake-api --bench exports
	$(CARGO) bench -p intake-api --bench busy
	$(CARGO) build --release -q -p intake-cli
	$(CARGO) bench -p intake-api --bench verify
	# The same save, review, search and export figures on the clinic server (over
	# loopback, beside a throwaway cluster that flushes like a real one), with the db copy
	# of each register.
	INTAKE_PG_FSYNC=on scripts/with-postgres.sh env INTAKE_BENCH_BACKEND=postgres $(CARGO) bench -p intake-api --bench patients
	INTAKE_PG_FSYNC=on scripts/with-postgres.sh env INTAKE_BENCH_BACKEND=postgres $(CARGO) bench -p intake-api --bench intake
	INTAKE_PG_FSYNC=on scripts/with-postgres.sh env INTAKE_BENCH_BACKEND=postgres $(CARGO) bench -p intake-api --bench exports
	@echo "Keys for a repeat visit against a first visit (end-to-end, in the real window):"
	@$(MAKE) --no-print-directory deps-test tools >/dev/null
	@$(CARGO) build --features e2e --tests --bins -q
	@$(WEBKIT_ENV) TAURI_DRIVER="$(TAURI_DRIVER)" xvfb-run -a --server-args="-screen 0 1024x768x24" \
	  $(CARGO) test -q --features e2e --test e2e keystrokes -- --nocapture --test-threads=1 2>/dev/null | grep KEYSTROKES

## make fuzz: the fuzz targets of fuzz/ (cargo-fuzz on stable Rust, installed into .tools/ the
## first time), each for FUZZ_SECONDS (60 by default), then the executions of each. A crash
## leaves its input in fuzz/artifacts/<target>/. `make test` needs no fuzzer: it replays the
## committed corpus (fuzz/corpus/) through crates/intake-fuzz.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

## make soak: the kill test at length (crates/intake-soak): 1,000 random SIGKILLs of a writer
## process working through the API on a demo data folder, each followed by the checks, and a
## batch export killed midway; then the figures (share of kills inside a write transaction,
## acknowledged saves checked, lost). `make test` runs the same test with 100 kills.
soak:
	$(CARGO) build -p intake-cli
	TZ=UTC INTAKE_KILLS=1000 $(CARGO) test -p intake-soak --test kill -- --nocapture

## make screenshot: regenerate docs/screenshot.png, docs/review.png and docs/exports.png from the end-to-end run.
screenshot: deps-test tools e2e
	cp target/e2e-screenshots/keystrokes-repeat-medications.png docs/screenshot.png
	cp target/e2e-screenshots/review-record.png docs/review.png
	cp target/e2e-screenshots/exports-result.png docs/exports.png

clean:
	$(CARGO) clean
