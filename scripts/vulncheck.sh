#!/usr/bin/env bash
# govulncheck on the whole module, against the Go vulnerability database.
# Where vuln.go.dev cannot be reached (CI here reaches only the Go module
# proxy), the database is built from the golang.org/x/vulndb module, at the
# version below, into a cache folder (about 30 s the first time). Findings
# reviewed in scripts/vulns-reviewed.txt pass; any other called one fails.
set -euo pipefail
cd "$(dirname "$0")/.."

GOVULNCHECK=golang.org/x/vuln/cmd/govulncheck@v1.9.0
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018 # golang.org/x/vulndb, 2026-11-05
cache="${VULNDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/outreach-vulndb}/$VULNDB_VERSION"

db="${VULNDB:-}"
if [[ -z "$db" ]]; then
	if curl -fsS --max-time 5 -o /dev/null https://vuln.go.dev/index/db.json 2>/dev/null; then
		db=https://vuln.go.dev
	else
		if [[ ! -f "$cache/index/db.json" ]]; then
			echo "vulncheck: vuln.go.dev unreachable; building the database from golang.org/x/vulndb@$VULNDB_VERSION"
			src="$(go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')"
			rm -rf "$cache.tmp"
			go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$cache.tmp"
			rm -rf "$cache" && mv "$cache.tmp" "$cache"
		fi
		db="file://$cache"
	fi
fi
echo "vulncheck: $(go version | cut -d' ' -f3), database $db"
go run "$GOVULNCHECK" -db "$db" -format json ./... | go run ./scripts/vulngate scripts/vulns-reviewed.txt
