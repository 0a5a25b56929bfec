# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
BIN := bin/proofsheet
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: run test build setup setup-test lint bench clean

run: setup build
	./$(BIN) serve

build:
	go build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/proofsheet

setup:
	@scripts/setup

setup-test:
	@scripts/setup --test

# Starts the test servers, runs every test (browser tests included) with the
# race detector, and stops the servers whatever the outcome.
test: setup-test build
	@set -e; eval "$$(scripts/test-services start)"; \
	trap 'scripts/test-services stop' EXIT; \
	go test -race -count=1 -timeout 60m ./...

lint:
	gofmt -l . | (! grep .)
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# Runs every benchmark against the test servers and writes BENCHMARKS.md
# (the raw output stays in var/bench.txt).
bench: setup-test build
	@set -eo pipefail; eval "$$(scripts/test-services start)"; \
	trap 'scripts/test-services stop' EXIT; \
	mkdir -p var; \
	go test -p 1 -run '^$$' -bench . -benchmem -timeout 60m ./... | tee var/bench.txt; \
	go run ./scripts/benchreport < var/bench.txt > BENCHMARKS.md

clean:
	rm -rf bin var/test
