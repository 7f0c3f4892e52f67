# Osprey Strike — build, test and run the `strike` appliance.
# Every target that compiles first makes sure the Debian packages it needs are present.

SHELL := /bin/bash
SWIFT ?= swift

SYSTEM_PACKAGES := libsqlite3-dev libspatialite-dev libsqlite3-mod-spatialite libcurl4-openssl-dev libssl-dev libjs-leaflet sqlite3
SUDO := $(shell [ $$(id -u) -eq 0 ] || echo sudo)

.PHONY: deps build test demo release bench clean

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

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: build
	.build/debug/strike demo --db demo.db --port 8080

release: deps
	$(SWIFT) build -c release --static-swift-stdlib

bench: deps
	$(SWIFT) build -c release
	.build/release/strike bench

clean:
	rm -rf .build
