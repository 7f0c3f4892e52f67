# Osprey Strike — build, test and run the `strike` appliance.
# Every target that compiles first makes sure the Debian packages it needs are present.

SHELL := /bin/bash
SWIFT ?= swift

SYSTEM_PACKAGES := libsqlite3-dev libspatialite-dev libsqlite3-mod-spatialite libcurl4-openssl-dev libssl-dev libjs-leaflet sqlite3 systemd \
  python3 python3-venv chromium \
  dpkg-dev binutils help2man lintian gdb adduser \
  nginx caddy openssl \
  wrk postgresql-15 postgresql-15-postgis-3
SUDO := $(shell [ $$(id -u) -eq 0 ] || echo sudo)

# The Python test runs (the OpenAPI fuzz with schemathesis, the interop with Twilio's own library, the browser
# tests with Playwright), pinned in Tests/requirements.txt, in a virtual environment made from Debian's own
# Python (python3-venv above), never from whatever python3 comes first on the PATH.
PYTHON3 ?= /usr/bin/python3
VENV := .venv
PYTHON_REQUIREMENTS := Tests/requirements.txt
FUZZ := $(VENV)/bin/python Tests/Fuzz/fuzz.py --binary .build/debug/strike
INTEROP := $(VENV)/bin/python Tests/Interop/twilio_interop.py --binary .build/debug/strike
# docs/examples' nginx and Caddy configurations (nginx, caddy, openssl above) in front of `strike demo`.
PROXY := $(VENV)/bin/python Tests/Proxy/proxy_test.py --binary .build/debug/strike
# The dashboard in Debian's Chromium (above), driven by Playwright from Tests/requirements.txt.
BROWSER := $(VENV)/bin/python Tests/Browser/browser_tests.py --binary .build/debug/strike
# The release binary, alone in an empty directory, serves the whole dashboard.
RELEASE_BUILD := $(SWIFT) build -c release --static-swift-stdlib --product strike
ONE_BINARY = $(VENV)/bin/python Tests/Release/one_binary.py --binary "$$($(RELEASE_BUILD) --show-bin-path)/strike"
# The Debian packages of the release build (packaging/build-deb.sh: dpkg-dev, binutils and help2man above), in
# .build/deb/; the package test reads them with dpkg-deb, lintian and gdb, and runs the packaged binary.
DEB_DIR := .build/deb
STRIKE_VERSION = $$("$$($(RELEASE_BUILD) --show-bin-path)/strike" --version)
PACKAGE_TEST = $(VENV)/bin/python Tests/Package/package_test.py --deb $(DEB_DIR)/strike_$(STRIKE_VERSION)_amd64.deb
# The load test: dispatchers creating ECOs against `strike demo` with the simulators at speed 1000, then the
# backlog must drain (Tests/Soak/soak.py).
SOAK = $(VENV)/bin/python Tests/Soak/soak.py
# `strike bench`: wrk (above) drives the HTTP scenarios; the peer runs on a throw-away PostgreSQL 15 + PostGIS
# cluster (above) that Tests/Bench/postgres.sh makes as the postgres user and removes afterwards.
BENCH_PG = Tests/Bench/postgres.sh
BENCH_PG_DIR ?= /tmp/strike-bench-postgres
# Extra arguments for `strike bench`, such as BENCH_ARGS="--scenario durable_creates".
BENCH_ARGS ?=

.PHONY: deps venv build test fuzz interop browser proxy one-binary deb deb-test deb-install-check soak soak-small demo release bench bench-small clean

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
$(VENV)/.installed: $(PYTHON_REQUIREMENTS) | deps
	rm -rf $(VENV)
	$(PYTHON3) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-input -r $(PYTHON_REQUIREMENTS)
	touch $@

venv: deps $(VENV)/.installed

build: deps
	$(SWIFT) build

test: deps venv
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(INTEROP)
	$(PROXY)
	$(BROWSER)
	$(FUZZ)
	$(RELEASE_BUILD)
	$(ONE_BINARY)
	$(MAKE) --no-print-directory deb
	$(PACKAGE_TEST)
	$(MAKE) --no-print-directory soak-small
	$(MAKE) --no-print-directory bench-small

# Starts the debug build on a fresh database in a temporary directory and runs schemathesis against it.
fuzz: deps venv
	$(SWIFT) build
	$(FUZZ)

# Twilio's Python library against a live appliance: its signatures on the webhooks, its REST client on the
# Twilio simulator, and the simulator's callbacks checked by its RequestValidator.
interop: deps venv
	$(SWIFT) build
	$(INTEROP)

# The example reverse proxies of docs/live-twilio.md in front of `strike demo`, with a throw-away CA.
proxy: deps venv
	$(SWIFT) build
	$(PROXY)

# The dashboard's browser tests against `strike demo`; screenshots land in Tests/Browser/screenshots/.
browser: deps venv
	$(SWIFT) build
	$(BROWSER)

# `swift build -c release --static-swift-stdlib`, then its `strike` copied alone into an empty directory.
one-binary: deps venv
	$(RELEASE_BUILD)
	$(ONE_BINARY)

# strike_<version>_amd64.deb and strike-dbgsym_<version>_amd64.deb in .build/deb/, from the release build.
deb: deps
	$(RELEASE_BUILD)
	packaging/build-deb.sh "$$($(RELEASE_BUILD) --show-bin-path)/strike" $(DEB_DIR)

# The package test alone (make test runs it too).
deb-test: deps venv
	$(MAKE) --no-print-directory deb
	$(PACKAGE_TEST)

# Installs the package for real (dpkg -i), then removes, reinstalls and purges it: as root, on a throw-away
# machine only; not part of `make test`.
deb-install-check: deb
	$(SUDO) Tests/Package/install_check.sh $(DEB_DIR)/strike_$(STRIKE_VERSION)_amd64.deb

# The full load test on the release build: 16 clients for 60 s, 120 s to drain; on every core, then pinned to
# one (taskset), where a blocked cooperative thread shows first.
soak: deps venv
	$(RELEASE_BUILD)
	$(SOAK) --binary "$$($(RELEASE_BUILD) --show-bin-path)/strike" --clients 16 --seconds 60 --drain 120
	$(SOAK) --binary "$$($(RELEASE_BUILD) --show-bin-path)/strike" --clients 16 --seconds 60 --drain 120 --cores 0

# The same at a small size on the debug build, as part of `make test`.
soak-small: deps venv
	$(SWIFT) build
	$(SOAK) --binary .build/debug/strike --clients 8 --seconds 10 --drain 120
	$(SOAK) --binary .build/debug/strike --clients 8 --seconds 10 --drain 120 --cores 0

demo: build
	.build/debug/strike demo --db demo.db --port 8080

release: deps
	$(SWIFT) build -c release --static-swift-stdlib

# Every benchmark scenario on the release build (the binary the package ships), then the PostgreSQL peer on a
# cluster made for this run alone; one JSON document on standard output (docs/benchmarks.md reads it).
bench: deps
	$(RELEASE_BUILD)
	@set -e; conninfo=$$($(SUDO) bash $(BENCH_PG) start $(BENCH_PG_DIR)); \
	trap '$(SUDO) bash $(BENCH_PG) stop $(BENCH_PG_DIR)' EXIT; \
	"$$($(RELEASE_BUILD) --show-bin-path)/strike" bench --postgres "$$conninfo" $(BENCH_ARGS)

# The same at the tiny size on the debug build, as part of `make test`: seconds per scenario, to keep every one
# (and the peer) working; its figures mean nothing.
bench-small: deps
	$(SWIFT) build
	@set -e; conninfo=$$($(SUDO) bash $(BENCH_PG) start $(BENCH_PG_DIR)-small); \
	trap '$(SUDO) bash $(BENCH_PG) stop $(BENCH_PG_DIR)-small' EXIT; \
	.build/debug/strike bench --size tiny --postgres "$$conninfo" $(BENCH_ARGS) > .build/bench-small.json; \
	echo "bench-small: every scenario ran; figures in .build/bench-small.json"

clean:
	rm -rf .build
