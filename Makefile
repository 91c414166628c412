# Yaqaza — the two commands a new user needs are `make run` and `make test`.

# Go 1.27.3: go1.26.8, the machine's own Go, has known vulnerabilities in
# net/http, crypto/x509, crypto/tls and html/template that the binary
# reaches (see `make vuln`). The go command fetches this toolchain from the
# module proxy once; a toolchain line in go.mod alone would not be obeyed.
export GOTOOLCHAIN ?= go1.27.3
GO      ?= go
BIN     := bin/yaqaza
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
DATA    ?= ./data
ADDR    ?= 127.0.0.1:8080

.PHONY: all build run test lint vuln bench fuzz clean assets

all: build

build: assets
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/yaqaza

# Starts the server on http://$(ADDR) with the data in $(DATA). The first
# start creates and migrates the store, loads the Fès pack and prints an
# admin API token.
run: build
	./$(BIN) serve --data $(DATA) --addr $(ADDR)

# The whole suite, with the race detector. The PostgreSQL store tests run
# when YAQAZA_TEST_POSTGRES names a database (CI sets it) and are skipped,
# saying so, otherwise.
test: lint assets
	$(GO) test -race -count=1 -timeout 20m ./...

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on: $$unformatted"; exit 1; fi
	$(GO) vet ./...

# The console's third-party front-end packages come from npm (package.json
# and its lock file pin them) and are copied into console/static/vendor,
# which the binary embeds. Nothing there is committed; go build works
# without it, the console then lacking its scripts.
VENDOR := console/static/vendor
assets: $(VENDOR)/.stamp

$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/images $(VENDOR)/fonts
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/htmx-ext-sse/dist/sse.min.js $(VENDOR)/htmx-ext-sse.js
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chart.js
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(VENDOR)/
	cp node_modules/leaflet/dist/images/*.png $(VENDOR)/images/
	cp node_modules/@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-400-normal.woff2 \
	   node_modules/@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-700-normal.woff2 $(VENDOR)/fonts/
	cp node_modules/@fontsource/noto-sans-arabic/LICENSE $(VENDOR)/fonts/OFL.txt
	touch $@

# Known vulnerabilities (Go standard library and dependencies) in code the
# binary reaches: govulncheck against a local copy of the Go vulnerability
# database, since vuln.go.dev is out of reach and the Go module proxy is not.
# The database is the golang.org/x/vulndb module's data/osv, indexed by
# scripts/vulndb-index.go into the layout `-db file://` reads, and cached
# per vulndb version (and indexer revision) under $(VULNDB_CACHE).
# Bump VULNDB_VERSION for newer advisories (the module has no tags; the
# newest pseudo-version is `go list -m golang.org/x/vulndb@latest`).
# Fails (govulncheck exits 3) when a reached function is vulnerable.
GOVULNCHECK_VERSION ?= v1.9.0
VULNDB_VERSION      ?= v0.0.0-20261105234957-e22db6528018
VULNDB_CACHE        ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/yaqaza-vulndb
VULNDB_DIR           = $(VULNDB_CACHE)/$(VULNDB_VERSION)-$(shell cksum < scripts/vulndb-index.go | cut -d' ' -f1)

vuln: $(VULNDB_DIR)/index/modules.json
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -db file://$(VULNDB_DIR) ./...

$(VULNDB_DIR)/index/modules.json:
	@set -e; \
	json=$$(cd / && $(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION)) || { echo "$$json" >&2; exit 1; }; \
	src=$$(echo "$$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$$/\1/p'); \
	if [ ! -d "$$src/data/osv" ]; then echo "$$json" >&2; echo "no data/osv in golang.org/x/vulndb@$(VULNDB_VERSION)" >&2; exit 1; fi; \
	echo "vulndb: golang.org/x/vulndb@$(VULNDB_VERSION) from $$src"; \
	$(GO) run scripts/vulndb-index.go -osv "$$src/data/osv" -out "$(VULNDB_DIR)"

# Benchmarks print their figure beside a baseline measured in the same run.
bench: build
	./$(BIN) bench intake --duration 10s
	./$(BIN) bench triage
	./$(BIN) bench pages --incidents 100000
	for d in mac-dialect mac-sentiment crisislex6-relevance; do \
		./$(BIN) classify train --train ../shared/data/text/$$d.train.tsv --test ../shared/data/text/$$d.test.tsv || exit 1; done
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

# Longer fuzzing than the seed corpora that `make test` runs.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzTrackingCode$$' -fuzztime $(FUZZTIME) .
	$(GO) test -run '^$$' -fuzz '^FuzzReportValidate$$' -fuzztime $(FUZZTIME) .
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeReport$$' -fuzztime $(FUZZTIME) ./http
	$(GO) test -run '^$$' -fuzz '^FuzzBatchBody$$' -fuzztime $(FUZZTIME) ./http
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./cap
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./eido
	for f in FuzzNormalise FuzzClassify FuzzReadClassifier FuzzGazetteerFind FuzzFingerprint FuzzAssess; do \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) ./triage || exit 1; done

clean:
	rm -rf bin $(VENDOR) node_modules
