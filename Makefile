# Common developer tasks. Run `make` (or `make help`) for the list.

GO  ?= go
# Go 1.27.3: the standard library fixes of 1.26.9 and 1.26.10 (net/http,
# crypto/x509, crypto/tls, html/template) that govulncheck asks for. The go
# command fetches it from the module proxy once (76 MB); go.mod's toolchain
# line says the same to machines whose GOTOOLCHAIN is auto.
export GOTOOLCHAIN := go1.27.3
BIN := bin/outreach
PKG := ./cmd/outreach

.DEFAULT_GOAL := help
.PHONY: help build services test demo migrate serve worker lint vulncheck bench clean

help: ## Show this help
	@echo "Usage: make <target>"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z]+:.*## / {printf "  %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build the binary into bin/outreach
	$(GO) build -o $(BIN) $(PKG)

services: ## Make sure PostgreSQL and Redis are running locally
	bash scripts/services.sh

test: services ## Run all tests with the race detector
	$(GO) test -race -count=1 -timeout 20m ./...

demo: services ## Run the end-to-end demo
	$(GO) run $(PKG) demo

migrate: ## Apply database migrations
	$(GO) run $(PKG) migrate

serve: ## Run the HTTP API
	$(GO) run $(PKG) serve

worker: ## Run the background worker
	$(GO) run $(PKG) worker

lint: ## Check formatting (gofmt) and run go vet
	@files="$$(gofmt -l .)"; \
	if [ -n "$$files" ]; then echo "gofmt needed on:"; echo "$$files"; exit 1; fi
	$(GO) vet ./...

vulncheck: ## govulncheck, failing on any called vulnerability not reviewed in scripts/vulns-reviewed.txt
	bash scripts/vulncheck.sh

bench: ## Run benchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean: ## Remove build and test artifacts
	rm -rf bin/ coverage.out coverage.html
	find . -name '*.test' -type f -delete
