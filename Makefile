# pvar: two commands on a fresh Debian machine.
#   make report   the main job: build, run the checks, write Reports/
#   make test     the test suite
# Both install the Debian packages they need (as root, or with sudo) before building.

SWIFT ?= swift
SEED ?= 1
INSTANCES ?= 100000
APT_PACKAGES := libgsl-dev pkg-config libflint-arb-dev

.PHONY: report test deps build check clean

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c "import mpmath" 2>/dev/null || python3 -m pip install --quiet mpmath

build: deps
	$(SWIFT) build -c release --product pvar

report: build
	$(SWIFT) run -c release pvar report --out Reports --seed $(SEED) --instances $(INSTANCES)

test: deps
	$(SWIFT) build --build-tests
	PVAR_BIN="$$($(SWIFT) build --show-bin-path)/pvar" $(SWIFT) test

check: build
	$(SWIFT) run -c release pvar check --seed $(SEED) --instances $(INSTANCES)

clean:
	rm -rf .build
