# Holdfast — see README.md. Every target works with nothing but Go installed
# (make test also needs PostgreSQL, which scripts/ensure-postgres.sh provides).

SHELL := /bin/bash
BIN   := $(CURDIR)/bin
TOOLS := $(CURDIR)/.bin

# Pinned tool versions: installed from the Go module proxy into .bin/.
BUF_VERSION                := v1.75.0
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.6.2
GOLANGCI_LINT_VERSION      := v2.15.0

# Every package of every workspace module.
PACKAGES = $(shell go list -m -f '{{.Dir}}/...')

.PHONY: all build run demo test test-short bench proto proto-check lint tools clean

all: build

build:
	@mkdir -p $(BIN)
	go build -o $(BIN)/holdfast ./services/holdfast/cmd/holdfast
	go build -o $(BIN)/client ./services/client/cmd/client
	go build -o $(BIN)/attendance ./services/attendance/cmd/attendance
	go build -o $(BIN)/order ./services/order/cmd/order
	go build -o $(BIN)/commission ./services/commission/cmd/commission
	go build -o $(BIN)/risk ./services/risk/cmd/risk

## run: start Holdfast (embedded NATS + every service) in the foreground.
run: build
	$(BIN)/holdfast dev

## demo: start Holdfast in the background, simulate a 50-person sales organisation
## through the gRPC APIs, print the detection report and example alerts, keep running.
demo: build
	bash scripts/demo.sh

## test: every module's tests with the race detector, PostgreSQL included.
## Browser screenshots of the console land in artifacts/_artifacts/.
test:
	bash scripts/ensure-postgres.sh
	go vet $(PACKAGES)
	@mkdir -p $(CURDIR)/artifacts
	go test -race -count=1 -timeout 15m -artifacts -outputdir $(CURDIR)/artifacts $(PACKAGES)

## bench: figures beside their raw nats.go baselines, measured in one run.
bench: build
	$(BIN)/holdfast bench

## proto: lint and regenerate Go from proto/ with pinned local plugins.
proto: tools
	cd proto && PATH="$(TOOLS):$$PATH" $(TOOLS)/buf lint
	cd proto && PATH="$(TOOLS):$$PATH" $(TOOLS)/buf generate

## proto-check: fail if the committed generated code is stale.
proto-check: proto
	@if [ -n "$$(git status --porcelain -- proto/gen)" ]; then \
		echo "generated code in proto/gen is stale: run 'make proto' and commit"; \
		git status --porcelain -- proto/gen; git --no-pager diff --stat -- proto/gen; exit 1; fi
	@echo "proto/gen is fresh"

## lint: buf lint, gofmt and golangci-lint v2 (config in .golangci.yml).
lint: tools $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)
	cd proto && $(TOOLS)/buf lint
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '^proto/gen/'))" || { gofmt -l $$(git ls-files '*.go' | grep -v '^proto/gen/'); exit 1; }
	for d in $$(go list -m -f '{{.Dir}}'); do (cd $$d && $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION) run --config $(CURDIR)/.golangci.yml ./...) || exit 1; done

tools: $(TOOLS)/buf-$(BUF_VERSION) $(TOOLS)/protoc-gen-go-$(PROTOC_GEN_GO_VERSION) $(TOOLS)/protoc-gen-go-grpc-$(PROTOC_GEN_GO_GRPC_VERSION)

# Each tool is installed once per version; the versioned stamp file makes a
# version bump reinstall it.
$(TOOLS)/buf-$(BUF_VERSION):
	GOBIN=$(TOOLS) GOFLAGS= go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
	@touch $@
$(TOOLS)/protoc-gen-go-$(PROTOC_GEN_GO_VERSION):
	GOBIN=$(TOOLS) GOFLAGS= go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	@touch $@
$(TOOLS)/protoc-gen-go-grpc-$(PROTOC_GEN_GO_GRPC_VERSION):
	GOBIN=$(TOOLS) GOFLAGS= go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	@touch $@
$(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION):
	GOBIN=$(TOOLS) GOFLAGS= go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	@cp $(TOOLS)/golangci-lint $@

clean:
	rm -rf $(BIN)
