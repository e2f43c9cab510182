# pvar: two commands on a fresh Debian machine.
#   make report   the main job: build, run the checks, write Reports/
#   make test     the test suite
# Both install the Debian packages they need (as root, or with sudo) before building.

SWIFT ?= swift
SEED ?= 1
INSTANCES ?= 100000
APT_PACKAGES := libgsl-dev pkg-config libflint-arb-dev $(COQ_PACKAGES)
# Coq 8.16 and the Mathematical Components libraries Debian packages for it (Proofs/coq/README.md
# says why these): ssreflect and algebra for finite sums, ordered fields and square roots, the
# algebra tactics for `ring` and `field`.
COQ_PACKAGES := coq libcoq-mathcomp-ssreflect libcoq-mathcomp-algebra libcoq-mathcomp-algebra-tactics

.PHONY: report test deps build check bench clean coq

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

# Speed, side by side at K = 4096, d = 64: pvar (all cores, and the same sweep pinned to one core
# with taskset), the scalar C pair loop, the NumPy evaluation (numpy installed from PyPI when
# missing); writes Reports/performance.md and prints the ratios.
BENCH_SHAPES = --responses 64 128 256 512 1024 2048 4096 --dim 64 --repeat 9
bench: build
	@python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet numpy
	cc -O2 -o .build/pair_loop Tests/Bench/pair_loop.c -lm
	$(SWIFT) build -c release --product pvar
	@c=$$(.build/pair_loop 4096 64 5 | sed -n 's/.*seconds\/eval=\([0-9.e+-]*\).*/\1/p'); \
	cn=$$(.build/pair_loop 4096 64 5 --no-loss | sed -n 's/.*seconds\/eval=\([0-9.e+-]*\).*/\1/p'); \
	np=$$(python3 Tests/Bench/numpy_eval.py 4096 64 3 | sed -n 's/.*seconds\/eval=\([0-9.e+-]*\).*/\1/p'); \
	one=$$(taskset -c 0 $$($(SWIFT) build -c release --show-bin-path)/pvar bench $(BENCH_SHAPES) | sed -n 's/^K=.* seconds\/eval=\([0-9.e+-]*\).*/\1/p'); \
	echo "C loop: $$c s/eval (without the loss: $$cn); NumPy: $$np s/eval; pvar on one core: $$(echo $$one | tr ' ' '\n' | tail -1) s/eval"; \
	$$($(SWIFT) build -c release --show-bin-path)/pvar bench $(BENCH_SHAPES) --threads 1 2 --single-core-seconds $$one \
	  --numpy-seconds $$np --c-seconds $$c --c-seconds-no-loss $$cn --report Reports/performance.md

check: build
	$(SWIFT) run -c release pvar check --seed $(SEED) --instances $(INSTANCES)

clean:
	rm -rf .build
	-cd Proofs/coq && [ -f CoqMakefile ] && $(MAKE) -f CoqMakefile clean; rm -f CoqMakefile CoqMakefile.conf
