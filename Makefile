# dsx: the two commands a fresh machine needs are `make demo` and `make test`.
GO ?= go
TEST_TIMEOUT ?= 20m

.PHONY: all build demo plane test unit lint bench soak screenshots clean

all: build

build:
	$(GO) build -o bin/dsx .

# Builds the control plane on first use (minutes), starts it, seeds a demo
# cluster and opens dsx on it; quitting dsx tears the cluster down.
demo: build
	$(GO) run ./testenv/demo --dsx bin/dsx

# Control-plane binaries of every version tests run on (1.37 from
# testenv/tools, 1.34 from testenv/tools134), each built once and cached by
# the hash of its module's go.mod and go.sum.
plane:
	$(GO) run ./testenv/demo -build-only

# Pure tests only: no control plane, no tmux; seconds once built.
unit:
	$(GO) test -count=1 ./...

# Pure tests, then the live ones (files tagged `live`, named
# *_live_test.go) against the real control plane and in tmux.
test: plane
	$(GO) vet -tags live ./...
	$(GO) test -count=1 -tags live -timeout $(TEST_TIMEOUT) ./...

# Benchmarks, not part of `make test` (the big sizes take many minutes):
# the model's pure benchmarks, then per size in NODES one control plane
# with BENCH_DAEMONSETS DaemonSets on every node and dsx run in a real
# pseudo-terminal, then k9s in the same harness on the same cluster. k9s
# is built from its own module (bench/k9s, never dsx's go.mod) into
# ~/.cache/dsx/k9s, once per go.sum. Prints one Markdown table per size
# (see docs/performance.md). BENCH_K9S=false leaves k9s out.
NODES ?= 100,1000,5000
BENCH_DAEMONSETS ?= 10
# The fleet: FLEET contexts (one unreachable) over FLEET_PLANES planes.
FLEET ?= 50
FLEET_PLANES ?= 2
BENCH_K9S ?= true
bench: plane
	$(GO) test -count=1 -run '^$$' -bench . -benchmem ./bench
	DSX_BENCH_FLEET=$(FLEET) DSX_BENCH_FLEET_PLANES=$(FLEET_PLANES) $(GO) test -count=1 -run TestFleetScale -timeout 20m -v ./bench
	$(GO) run ./bench/cmd/dsxbench -nodes $(NODES) -daemonsets $(BENCH_DAEMONSETS) -k9s=$(BENCH_K9S)

# The pictures of README.md and docs/guide.md (docs/img: NAME.svg, NAME.png,
# and NAME.txt, the frame's text, which the docs test checks against the
# keymap), captured from bin/dsx on the demo cluster (needs tmux). freeze and
# svg2png, which draw them, are built from their own module
# (testenv/screenshots/freeze) into SCREENSHOT_TOOLS, outside the repository.
SCREENSHOT_TOOLS ?= $(HOME)/.cache/dsx/screenshot-tools
screenshots: build plane
	cd testenv/screenshots/freeze && $(GO) build -o $(SCREENSHOT_TOOLS)/ github.com/charmbracelet/freeze ./svg2png
	$(GO) run ./testenv/screenshots -dsx bin/dsx -tools $(SCREENSHOT_TOOLS) -out docs/img

# Soak, not part of `make test`: dsx against a churning cluster of
# SOAK_NODES nodes for SOAK_DURATION with SOAK_RESTARTS API-server restarts
# (see docs/performance.md).
SOAK_DURATION ?= 30m
SOAK_NODES ?= 500
SOAK_RESTARTS ?= 20
soak: plane
	DSX_SOAK_DURATION=$(SOAK_DURATION) DSX_SOAK_NODES=$(SOAK_NODES) DSX_SOAK_RESTARTS=$(SOAK_RESTARTS) \
		$(GO) test -tags soak -count=1 -run TestSoak -timeout 0 -v ./bench

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet -tags live ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags live ./...

clean:
	rm -rf bin
