# pvar: two commands on a fresh Debian machine.
#   make report   the main job: build, run the checks, write Reports/
#   make test     the test suite
# Both install the Debian packages they need (as root, or with sudo) before building.

SWIFT ?= swift
SEED ?= 1
INSTANCES ?= 100000
APT_PACKAGES := libgsl-dev pkg-config libflint-arb-dev $(COQ_PACKAGES) chromium
# Coq 8.16 and the Mathematical Components libraries Debian packages for it (Proofs/coq/README.md
# says why these): ssreflect and algebra for finite sums, ordered fields and square roots, the
# algebra tactics for `ring` and `field`.
COQ_PACKAGES := coq libcoq-mathcomp-ssreflect libcoq-mathcomp-algebra libcoq-mathcomp-algebra-tactics

.PHONY: report test deps build check bench clean coq fuzz sanitize robustness browser-test screenshot

# Installs the Debian packages of $(1) that are missing (as root, or with sudo).
define apt_install
	@missing=""; \
	for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))
	@python3 -c "import mpmath" 2>/dev/null || python3 -m pip install --quiet mpmath
	@python3 -c "import websocket" 2>/dev/null || python3 -m pip install --quiet websocket-client

build: deps
	$(SWIFT) build -c release --product pvar

report: build
	$(SWIFT) run -c release pvar report --out Reports --seed $(SEED) --instances $(INSTANCES)

# The machine-checked proofs: compile Proofs/coq (its _CoqProject), then check that no theorem
# is admitted and none rests on an axiom outside Proofs/coq/allowed-axioms.txt (and, by planting
# each defect in a scratch copy, that the check would notice).
coq: deps
	cd Proofs/coq && coq_makefile -f _CoqProject -o CoqMakefile && $(MAKE) -j2 --no-print-directory -f CoqMakefile
	python3 Proofs/coq/check.py
	python3 Proofs/coq/check.py --self-test

test: deps coq
	$(SWIFT) build --build-tests
	PVAR_BIN="$$($(SWIFT) build --show-bin-path)/pvar" $(SWIFT) test
	@$(MAKE) --no-print-directory browser-test

# The explorer in a real browser (Tests/Browser/explorer_test.py): headless Chromium from Debian
# (make deps installs it) drives `pvar serve` and compares what the page shows with `pvar
# evaluate`; skipped, saying so, only where no chromium is installed. SCREENSHOT: where the PNG goes.
SCREENSHOT ?= .build/browser/explorer.png
browser-test:
	@if command -v chromium >/dev/null 2>&1; then \
	  python3 Tests/Browser/explorer_test.py --pvar "$$($(SWIFT) build --show-bin-path)/pvar" --screenshot $(SCREENSHOT); \
	else echo "browser test skipped: no chromium on this machine (make deps installs Debian's)"; fi

# The README's picture of the explorer: the browser test's screenshot, written to Reports/.
screenshot: deps
	$(SWIFT) build --product pvar
	$(SWIFT) build --product pvar-serve
	@$(MAKE) --no-print-directory browser-test SCREENSHOT=Reports/explorer.png

# Speed, side by side at K = 4096, d = 64: pvar (all cores, and the same sweep pinned to one core
# with taskset), the scalar C pair loop (cc -O3 -march=native), the NumPy evaluation (numpy
# installed from PyPI when missing); then large K end to end: `pvar evaluate --no-noise` on the
# bench family's JSON file (Tests/Bench/large_instance.py) at LARGE_K, on both cores and on one,
# next to the C loop and NumPy (NumPy only where its K x K matrices fit in half the available
# memory). Writes Reports/performance.md and prints the ratios.
BENCH_SHAPES = --responses 64 128 256 512 1024 2048 4096 16384 65536 --dim 64 --repeat 9
LARGE_K ?= 4096 16384 65536
BENCH_DIR = .build/bench
# Median wall seconds of $(2) runs of the command $(1) (GNU time; the command's output discarded).
define median_seconds
$$(for i in $$(seq $(2)); do /usr/bin/time -f %e $(1) 2>&1 >/dev/null | tail -1; done | sort -g | awk '{a[NR]=$$1} END {print a[int((NR+1)/2)]}')
endef
bench: build
	@python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet numpy
	@mkdir -p $(BENCH_DIR)
	cc -O3 -march=native -o $(BENCH_DIR)/pair_loop Tests/Bench/pair_loop.c -lm
	@pvar=$$($(SWIFT) build -c release --show-bin-path)/pvar; \
	c=$$($(BENCH_DIR)/pair_loop 4096 64 5 | sed -n 's/.*seconds\/eval=\([0-9.e+-]*\).*/\1/p'); \
	cn=$$($(BENCH_DIR)/pair_loop 4096 64 5 --no-loss | sed -n 's/.*seconds\/eval=\([0-9.e+-]*\).*/\1/p'); \
	np=$$(python3 Tests/Bench/numpy_eval.py 4096 64 3 | sed -n 's/.*seconds\/eval=\([0-9.e+-]*\).*/\1/p'); \
	one=$$(taskset -c 0 $$pvar bench $(BENCH_SHAPES) | sed -n 's/^K=.* seconds\/eval=\([0-9.e+-]*\).*/\1/p'); \
	echo "C loop: $$c s/eval (without the loss: $$cn); NumPy: $$np s/eval"; \
	printf 'K\tevaluate\tevaluate_one_core\tc_loop\tc_loop_no_loss\tnumpy\n' > $(BENCH_DIR)/large.tsv; \
	avail_kb=$$(awk '/MemAvailable/ {print $$2}' /proc/meminfo); \
	for k in $(LARGE_K); do \
	  python3 Tests/Bench/large_instance.py $$k 64 > $(BENCH_DIR)/k$$k.json; \
	  runs=$$([ $$k -le 16384 ] && echo 5 || echo 3); \
	  two=$(call median_seconds,$$pvar evaluate --input $(BENCH_DIR)/k$$k.json --no-noise,$$runs); \
	  single=$(call median_seconds,taskset -c 0 $$pvar evaluate --input $(BENCH_DIR)/k$$k.json --no-noise,$$runs); \
	  cl=$$($(BENCH_DIR)/pair_loop $$k 64 1 | sed -n 's/.*seconds\/eval=\([0-9.e+-]*\).*/\1/p'); \
	  cln=$$($(BENCH_DIR)/pair_loop $$k 64 $$runs --no-loss | sed -n 's/.*seconds\/eval=\([0-9.e+-]*\).*/\1/p'); \
	  if [ $$((96 * k * k / 1024)) -lt $$((avail_kb / 2)) ]; then npk=$$(python3 Tests/Bench/numpy_eval.py $$k 64 1 | sed -n 's/.*seconds\/eval=\([0-9.e+-]*\).*/\1/p'); else npk=-; fi; \
	  echo "K=$$k: pvar evaluate $$two s (one core $$single s), C loop $$cl s (without the loss $$cln s), NumPy $$npk"; \
	  printf '%s\t%s\t%s\t%s\t%s\t%s\n' $$k $$two $$single $$cl $$cln $$npk >> $(BENCH_DIR)/large.tsv; \
	  rm -f $(BENCH_DIR)/k$$k.json; \
	done; \
	$$pvar bench $(BENCH_SHAPES) --threads 1 2 --single-core-seconds $$one \
	  --numpy-seconds $$np --c-seconds $$c --c-seconds-no-loss $$cn --large-table $(BENCH_DIR)/large.tsv --report Reports/performance.md

# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of every input surface: the package in
# Tests/Fuzz, one executable per target (FuzzTarget in Tests/Fuzz/Targets). Each target starts
# from its committed seed corpus (copied: the working corpus stays in .build-fuzz) and runs
# FUZZ_RUNS executions, or SECONDS seconds if given; a crash is saved under .build-fuzz/crashes
# and stops the run. Per-target statistics go to .build-fuzz/summary.tsv.
FUZZ_RUNS ?= 1000000
FUZZ_TARGETS := instance:FuzzInstance sequence:FuzzSequence select-lines:FuzzSelectLines shard:FuzzShard claim:FuzzClaim
FUZZ_BIN = .build-fuzz/release
fuzz: deps
	$(SWIFT) build --package-path Tests/Fuzz -c release --scratch-path .build-fuzz \
	  -Xswiftc -sanitize=fuzzer,address --toolset Tests/Fuzz/toolset.json
	@printf 'target\texecutions\tseconds\tcoverage\tfeatures\tcorpus\tcrashes\n' > .build-fuzz/summary.tsv
	@set -e; for pair in $(FUZZ_TARGETS); do \
	  t=$${pair%%:*}; exe=$${pair##*:}; \
	  mkdir -p .build-fuzz/corpus/$$t .build-fuzz/crashes/$$t; cp Tests/Fuzz/Corpus/$$t/* .build-fuzz/corpus/$$t/; \
	  limit=$$( [ -n "$(SECONDS)" ] && echo "-max_total_time=$(SECONDS)" || echo "-runs=$(FUZZ_RUNS)" ); \
	  start=$$(date +%s); \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Fuzz/lsan.supp $(FUZZ_BIN)/$$exe $$limit -max_len=4096 -timeout=10 \
	    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=.build-fuzz/crashes/$$t/ \
	    .build-fuzz/corpus/$$t > .build-fuzz/$$t.log 2>&1 || { tail -40 .build-fuzz/$$t.log; echo "fuzz: $$t crashed, reproducer in .build-fuzz/crashes/$$t"; exit 1; }; \
	  secs=$$(( $$(date +%s) - start )); \
	  runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' .build-fuzz/$$t.log); \
	  cov=$$(grep -o 'cov: [0-9]*' .build-fuzz/$$t.log | tail -1 | cut -d' ' -f2); \
	  ft=$$(grep -o 'ft: [0-9]*' .build-fuzz/$$t.log | tail -1 | cut -d' ' -f2); \
	  corp=$$(ls .build-fuzz/corpus/$$t | wc -l); \
	  printf '%s\t%s\t%s\t%s\t%s\t%s\t0\n' $$t $$runs $$secs $$cov $$ft $$corp >> .build-fuzz/summary.tsv; \
	  echo "fuzz $$t: $$runs executions in $$secs s, coverage $$cov, no crash"; \
	done

# Sanitizers, each in its own build folder: the suites that exercise the numerics, the ball
# arithmetic, the parsers and the fuzz regressions under AddressSanitizer (Swift and C) and
# UndefinedBehaviorSanitizer (C) (SANITIZE_FILTER), and the parallel code paths (thread pools, shards,
# the kernels' thread counts, the conjecture search) under ThreadSanitizer (THREAD_FILTER). Leaks
# are checked with the suppressions of Tests/Robustness/lsan-tests.supp (toolchain leaks, each named). Logs in .build-asan/, .build-tsan/.
# swiftc has no undefined-behaviour sanitizer on Linux (Swift traps on overflow and out-of-range
# access by itself): UBSan instruments the C code (the pair kernels), its runtime is in ASan's.
UBSAN_FLAGS := -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
SANITIZE_FILTER ?= PVarCoreTests|PVarCertifyTests|PVarSelectTests|FuzzRegression|EdgeCaseTests|ConjectureTests|CertifiedAgainstReference
THREAD_FILTER ?= ParallelTests|ShardingTests|KernelTests|ConjectureTests|SelectionTests
sanitize: deps
	$(SWIFT) build --build-tests --scratch-path .build-asan --sanitize=address $(UBSAN_FLAGS)
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Robustness/lsan-tests.supp UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(SWIFT) test --skip-build --scratch-path .build-asan --sanitize=address $(UBSAN_FLAGS) \
	  --filter '$(SANITIZE_FILTER)' 2>&1 | tee .build-asan/sanitize.log | tail -3
	@! grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:|✘|unexpected signal" .build-asan/sanitize.log
	@grep -qE "Test run with [0-9]+ tests.* passed" .build-asan/sanitize.log
	$(SWIFT) build --build-tests --scratch-path .build-tsan --sanitize=thread
	$(SWIFT) test --skip-build --scratch-path .build-tsan --sanitize=thread --filter '$(THREAD_FILTER)' 2>&1 \
	  | tee .build-tsan/sanitize.log | tail -3
	@! grep -qE "WARNING: ThreadSanitizer|✘|unexpected signal" .build-tsan/sanitize.log
	@grep -qE "Test run with [0-9]+ tests.* passed" .build-tsan/sanitize.log
	@echo "sanitize: address, undefined and thread sanitizers clean"

# Reports/robustness.md: fuzzing (1,000,000 executions per target), the sanitizers, the planted
# defects of Tests/Robustness/plant.py and the fault tests, each from its own log.
robustness: fuzz sanitize
	mkdir -p .build/robustness
	python3 Tests/Robustness/plant.py --out .build/robustness/mutations.md
	$(SWIFT) test --filter FaultTests 2>&1 | tee .build/robustness/faults.log | tail -2
	python3 Tests/Robustness/report.py --out Reports/robustness.md

check: build
	$(SWIFT) run -c release pvar check --seed $(SEED) --instances $(INSTANCES)

clean:
	rm -rf .build
	-cd Proofs/coq && [ -f CoqMakefile ] && $(MAKE) -f CoqMakefile clean; rm -f CoqMakefile CoqMakefile.conf
