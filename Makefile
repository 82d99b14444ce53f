# Murder — the two commands of the README are `make demo` and `make test`.
# Both install what is missing first (Debian packages, Python modules), quietly when nothing is.

SWIFT        ?= swift
CLANG        ?= $(shell command -v /opt/swift/usr/bin/clang || command -v clang)
BUILD_DIR    ?= .build
SWIFT_FLAGS  ?= --scratch-path $(BUILD_DIR)
SECONDS      ?= 60
DEMO_ARGS    ?=

.PHONY: all deps test-deps build demo test test-swift bench fuzz lint clean

all: build

deps:
	@bash scripts/deps.sh

test-deps:
	@bash scripts/deps.sh test

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

demo: build
	$(BUILD_DIR)/debug/murder demo $(DEMO_ARGS)

# The whole suite: Swift tests (unit, differential, wire), then the suites that open sockets
# once more on the io_uring engine (the first run is on NIO), the C core under
# AddressSanitizer and UndefinedBehaviorSanitizer, then the end-to-end suite (real clients
# against a real `murder serve`) once per engine.
ENGINE_SUITES = TransportTests|ProxyTests|URingEngineTests
test: test-deps
	$(SWIFT) build $(SWIFT_FLAGS) --build-tests
	$(SWIFT) test $(SWIFT_FLAGS) --skip-build --parallel --num-workers 2
	MURDER_TEST_ENGINE=uring $(SWIFT) test $(SWIFT_FLAGS) --skip-build --parallel --num-workers 2 \
		--filter '$(ENGINE_SUITES)'
	$(MAKE) --no-print-directory scan-asan system-asan relay-asan ring-asan
	MURDER_ENGINE=uring MURDER_BIN=$(BUILD_DIR)/debug/murder python3 -m pytest -q Tests/e2e
	MURDER_ENGINE=nio MURDER_BIN=$(BUILD_DIR)/debug/murder python3 -m pytest -q Tests/e2e

bench: deps
	bash bench/run.sh

lint:
	$(SWIFT) format lint -r Sources Tests

clean:
	rm -rf $(BUILD_DIR) bench/.build fuzz/out fuzz/corpus-run

include mk/scan.mk
include mk/system.mk
include mk/relay.mk
include mk/ring.mk
