# Osprey Strike — build, test and run the `strike` appliance.
# Every target that compiles first makes sure the Debian packages it needs are present.

SHELL := /bin/bash
SWIFT ?= swift

SYSTEM_PACKAGES := libsqlite3-dev libspatialite-dev libsqlite3-mod-spatialite libcurl4-openssl-dev libssl-dev libjs-leaflet sqlite3 \
  python3 python3-venv
SUDO := $(shell [ $$(id -u) -eq 0 ] || echo sudo)

# The OpenAPI fuzz run: schemathesis, pinned in Tests/Fuzz/requirements.txt, in a virtual environment made from
# Debian's own Python (python3-venv above), never from whatever python3 comes first on the PATH.
PYTHON3 ?= /usr/bin/python3
VENV := .venv
FUZZ_REQUIREMENTS := Tests/Fuzz/requirements.txt
FUZZ := $(VENV)/bin/python Tests/Fuzz/fuzz.py --binary .build/debug/strike

.PHONY: deps venv build test fuzz demo release bench clean

# Installs only what is missing; a no-op (and silent) when everything is there.
# A package counts as present only when dpkg reports it "install ok installed"
# (dpkg -s alone also succeeds for a removed package whose config files remain).
deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
	  dpkg -s "$$pkg" >/dev/null 2>&1 && \
	    dpkg -s "$$pkg" 2>/dev/null | grep -q "^Status: install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Made afresh whenever the requirements change, so a package dropped from them does not linger.
$(VENV)/.installed: $(FUZZ_REQUIREMENTS) | deps
	rm -rf $(VENV)
	$(PYTHON3) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-input -r $(FUZZ_REQUIREMENTS)
	touch $@

venv: deps $(VENV)/.installed

build: deps
	$(SWIFT) build

test: deps venv
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(FUZZ)

# Starts the debug build on a fresh database in a temporary directory and runs schemathesis against it.
fuzz: deps venv
	$(SWIFT) build
	$(FUZZ)

demo: build
	.build/debug/strike demo --db demo.db --port 8080

release: deps
	$(SWIFT) build -c release --static-swift-stdlib

bench: deps
	$(SWIFT) build -c release
	.build/release/strike bench

clean:
	rm -rf .build
