# keycare — build, run, test, bench. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

FUNCTIONS    := $(notdir $(wildcard functions/*))
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags="-s -w -buildid="
LAMBDA_ENV   := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
BIN          := bin
ROLE ?= admin
USER ?= root
DEPT ?=

.PHONY: help deps browser template-tools build run test bench lint token clean fuzz import-template

help: ## list the targets
	@grep -E '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

deps: local/node_modules/.keycare-installed ## install the emulators (npm ci into local/) and Go modules
	@go mod download

local/node_modules/.keycare-installed: local/package.json local/package-lock.json
	@command -v node >/dev/null || { echo "Node.js 20+ is needed (https://nodejs.org)"; exit 1; }
	@command -v java >/dev/null || { echo "Java 17+ is needed for DynamoDB Local (apt-get install openjdk-17-jre-headless)"; exit 1; }
	cd local && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

browser: ## install Debian's chromium for the browser tests, if missing
	@{ command -v chromium >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q . ; } || { \
	  echo "installing chromium and a CJK font (Debian packages) for the end-to-end browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -q chromium fonts-wqy-zenhei >/dev/null 2>&1 || { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium fonts-wqy-zenhei >/dev/null; }; }

# The template gate (local/deploy, local/e2e's IAM test) runs SAM's translator
# and cfn-lint offline. make test requires them and installs nothing: PyPI is
# not reachable from every machine that runs it.
template-tools: ## check the template gate's tools: python3 with aws-sam-translator, and cfn-lint
	@command -v python3 >/dev/null && python3 -c 'import samtranslator, tomllib, botocore' 2>/dev/null && command -v cfn-lint >/dev/null || { \
	  echo "make test checks template.yaml with aws-sam-translator and cfn-lint, which are missing."; \
	  echo "Install them (python3 3.11+): pip install 'aws-sam-translator>=1.110' 'cfn-lint>=1.51'"; exit 1; }

build: $(FUNCTIONS:%=$(BIN)/%/bootstrap) ## one static linux/arm64 bootstrap per function, in bin/<function>/

$(BIN)/%/bootstrap: FORCE
	$(LAMBDA_ENV) go build $(LAMBDA_FLAGS) -o $@ ./functions/$*

FORCE:

# sam build (BuildMethod: makefile) calls build-<LogicalId> with ARTIFACTS_DIR;
# CustomersFunction is built from functions/customers, ComplaintFormFunction
# from functions/complaint-form, and so on.
build-%:
	@fn=$$(echo '$*' | sed -E 's/Function$$//; s/([a-z0-9])([A-Z])/\1-\2/g' | tr A-Z a-z); \
	test -d functions/$$fn || { echo "no folder functions/$$fn for $*"; exit 1; }; \
	$(LAMBDA_ENV) go build $(LAMBDA_FLAGS) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/$$fn

run: deps ## start the whole system locally on http://127.0.0.1:3000 (PORT=… to change)
	go run ./local/cmd/keycare-local

test: deps browser template-tools ## every test: unit, DynamoDB Local, API, runner, end-to-end, the template gate
	go vet ./...
	KEYCARE_REQUIRE_LINT=1 go test -count=1 -timeout 25m ./...

bench: deps ## figures of DESIGN.md section 4 against the emulators
	go run ./local/cmd/bench

fuzz: ## run each fuzz target for a while (FUZZTIME=30s; issue 10 asks 10m for the public decoders, the cursor and the form token)
	go test ./shared/api -run '^$$' -fuzz FuzzCustomerDecoders -fuzztime $${FUZZTIME:-30s}
	go test ./shared/api -run '^$$' -fuzz FuzzPublicComplaintDecoders -fuzztime $${FUZZTIME:-30s}
	go test ./shared/api -run '^$$' -fuzz FuzzPublicSurveyDecoders -fuzztime $${FUZZTIME:-30s}
	go test ./shared/api -run '^$$' -fuzz FuzzVisitDecoders -fuzztime $${FUZZTIME:-30s}
	go test ./shared/store -run '^$$' -fuzz FuzzDecodeCursor -fuzztime $${FUZZTIME:-30s}
	go test ./shared/domain -run '^$$' -fuzz FuzzFormToken -fuzztime $${FUZZTIME:-30s}
	go test ./shared/httpx -run '^$$' -fuzz FuzzGroupsClaim -fuzztime $${FUZZTIME:-30s}
	go test ./shared/report -run '^$$' -fuzz FuzzWorkbookText -fuzztime $${FUZZTIME:-30s}

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); [ -z "$$out" ] || { echo "gofmt needed: $$out"; exit 1; }
	go vet ./...

import-template: ## after sam delete: .aws-sam/import.yaml and import-resources.json to re-adopt the retained table and user pool (TABLE=… USER_POOL=…)
	@go run ./local/cmd/retained -table '$(TABLE)' -user-pool '$(USER_POOL)'

token: ## print a local bearer JWT: make token ROLE=manager USER=alice DEPT=sales
	@go run ./local/cmd/token -role '$(ROLE)' -user '$(USER)' -dept '$(DEPT)'

clean: ## remove build output and emulator logs
	rm -rf $(BIN) .aws-sam local/.logs
