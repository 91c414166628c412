# Yaqaza — the two commands a new user needs are `make run` and `make test`.

GO      ?= go
BIN     := bin/yaqaza
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
DATA    ?= ./data
ADDR    ?= 127.0.0.1:8080

.PHONY: all build run test lint bench fuzz clean

all: build

build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/yaqaza

# Starts the server on http://$(ADDR) with the data in $(DATA). The first
# start creates and migrates the store, loads the Fès pack and prints an
# admin API token.
run: build
	./$(BIN) serve --data $(DATA) --addr $(ADDR)

# The whole suite, with the race detector. The PostgreSQL store tests run
# when YAQAZA_TEST_POSTGRES names a database (CI sets it) and are skipped,
# saying so, otherwise.
test: lint
	$(GO) test -race -count=1 -timeout 20m ./...

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on: $$unformatted"; exit 1; fi
	$(GO) vet ./...

# Benchmarks print their figure beside a baseline measured in the same run.
bench: build
	./$(BIN) bench intake --duration 10s
	./$(BIN) bench triage
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
	for f in FuzzNormalise FuzzClassify FuzzReadClassifier FuzzGazetteerFind FuzzFingerprint FuzzAssess; do \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) ./triage || exit 1; done

clean:
	rm -rf bin
