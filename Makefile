# Aduan: the two commands are `make run` and `make test`; both set up .venv on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The package indexes configured on some machines are noisy about missing local mirrors.
PIP := $(BIN)/pip --disable-pip-version-check --quiet

.PHONY: test lint build run bench clean holidays deploy-web deploy-edge openapi soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the declared dependencies change.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]' 2>&1 | grep -v 'is ignored' || true
	$(BIN)/python -c "import aduan, moto, hypothesis"
	touch $@

$(VENV)/.installed-deploy: pyproject.toml $(VENV)/.installed-dev
	$(PIP) install -e '.[dev,deploy]' 2>&1 | grep -v 'is ignored' || true
	$(BIN)/sam --version
	touch $@

test: $(VENV)/.installed-dev lint
	$(BIN)/pytest

# The reliability suite at full size (up to ~15 min): 1,000 complaints through injected faults and
# killed workers, 30 evidence uploads the same way, a minute of load, and more generated bad input
# than `make test` sends.
soak: $(VENV)/.installed-dev
	ADUAN_LOCAL_WORKERS=4 ADUAN_SOAK_COMPLAINTS=1000 ADUAN_SOAK_KILLS=10 ADUAN_SOAK_LOAD_SECONDS=60 ADUAN_SOAK_FUZZ_EXAMPLES=500 ADUAN_SOAK_UPLOADS=30 \
		$(BIN)/pytest -m reliability -s -p no:cacheprovider tests/e2e/test_reliability.py tests/e2e/test_bad_input.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared/aduan
	$(BIN)/lint-imports --no-cache
	$(BIN)/cfn-lint template.yaml
	@! grep -rniE '\.scan\(|["'"'"']scan["'"'"']' functions shared --include='*.py' || (echo "a DynamoDB Scan is on a path" && false)

# sam build without Docker and without a local python3.13: every function and the layer
# are built by infra/build/Makefile (BuildMethod: makefile) for python3.13 on arm64.
build: $(VENV)/.installed-deploy
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sam build --template-file template.yaml

# Benchmarks: writes bench/RESULTS.md (BENCH_SIZES=1000,10000,100000,1000000 by default).
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

# The whole system on this machine: API on http://127.0.0.1:3000, Ctrl-C stops everything.
run: $(VENV)/.installed-dev
	$(BIN)/aduan-local up

STACK ?= aduan
stack_output = $(shell aws cloudformation describe-stacks --stack-name $(STACK) \
	--query "Stacks[0].Outputs[?OutputKey=='$(1)'].OutputValue" --output text)

# Upload the citizen pages after `sam deploy` (docs/web.md); needs the AWS CLI.
deploy-web:
	aws s3 sync web/ s3://$(call stack_output,WebBucketName)/ --delete --cache-control "public, max-age=300"
	aws cloudfront create-invalidation --distribution-id $(call stack_output,WebDistributionId) --paths '/*'

# Outside us-east-1, before the first `sam deploy`: the CLOUDFRONT web ACL (AWS WAF's rate limits)
# and CloudFront's log bucket can only be made in us-east-1. Prints the web ACL's ARN and the
# bucket's domain: pass them as EdgeWebAclArn and EdgeLogBucketDomain (docs/deploy.md).
deploy-edge: $(VENV)/.installed-dev
	mkdir -p .aws-sam
	$(BIN)/python infra/build/edge_template.py > .aws-sam/edge.json
	aws cloudformation deploy --region us-east-1 --stack-name $(STACK)-edge --template-file .aws-sam/edge.json \
		$(if $(EDGE_REPORTS),--parameter-overrides EdgeReportsPerFiveMinutes=$(EDGE_REPORTS))
	aws cloudformation describe-stacks --region us-east-1 --stack-name $(STACK)-edge \
		--query "Stacks[0].Outputs[].[OutputKey,OutputValue]" --output text

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache

# Regenerate the shipped holiday table from the `holidays` package (after upgrading it).
holidays: $(VENV)/.installed-dev
	$(BIN)/python -c "import json; from aduan.domain.workdays import HOLIDAY_TABLE, holiday_table; \
	HOLIDAY_TABLE.write_text(json.dumps(holiday_table(2020, 2045), indent=0) + '\n')"

# Regenerate the public API's OpenAPI document from the code (a test fails when they differ).
openapi: $(VENV)/.installed-dev
	$(BIN)/python -m aduan_local.openapi
