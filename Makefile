# Comptoir: `make run` starts the whole system locally, `make test` runs every check.
# Everything lands in .venv; Debian packages the project needs are installed by scripts/system-packages.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_ARGS ?=
# The CDK's JavaScript core runs on the machine's node 20 and says, at length, that 20 is end-of-life.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: setup run test lint unit e2e synth deploy bench clean

setup: $(STAMP) web/dist/index.html

# The portal (web/): npm ci from the committed lockfile, API types from `comptoir openapi`, then Vite.
WEB_SOURCES := $(shell find web/src web/public web/scripts -type f -not -name api-schema.d.ts 2>/dev/null) \
	web/package-lock.json web/index.html web/vite.config.ts $(wildcard functions/*/app.py)
web/dist/index.html: $(STAMP) $(WEB_SOURCES)
	COMPTOIR=$(abspath $(BIN)/comptoir) web/scripts/build

$(STAMP): pyproject.toml scripts/system-packages
	bash scripts/system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/comptoir up $(RUN_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Two workers (the machine's two cores): a module's tests stay on one worker, so its stack starts once.
test: lint
	$(BIN)/pytest -q -n 2 --dist loadscope --durations=15

unit: setup
	$(BIN)/pytest -q -m "not e2e and not infra"

e2e: setup
	$(BIN)/pytest -q -m e2e

synth: setup
	$(BIN)/python -m comptoir_infra.synth
	$(BIN)/cfn-lint cdk.out/Comptoir.template.json

# Deploy to the AWS account of the current credentials (see README: Deploying to AWS).
deploy: setup
	cd infra && npx --yes aws-cdk@2 deploy --parameters DomainName=$(DOMAIN) \
		--parameters CertificateArn=$(CERTIFICATE_ARN) --parameters InboundMailDomain=$(INBOUND_DOMAIN) \
		--parameters TextractEnabled=$(or $(TEXTRACT),false) \
		--parameters DropboxAppKey=$(DROPBOX_APP_KEY) \
		--parameters PortalOrigin=$(PORTAL_ORIGIN) --parameters MailSender=$(MAIL_SENDER) \
		--parameters CloudFrontCertificateArn=$(CLOUDFRONT_CERTIFICATE_ARN)

bench: setup
	$(BIN)/python benchmarks/local_stack.py
	$(BIN)/python benchmarks/inbox.py
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/split_merge.py
	$(BIN)/python -P benchmarks/dropbox_webhook.py
	$(BIN)/python -P benchmarks/recognition.py
	$(BIN)/python -P benchmarks/mail_intake.py
	$(BIN)/python -P benchmarks/ledger.py
	$(BIN)/python -P benchmarks/web.py --runs 5
	$(BIN)/python -P benchmarks/conversations.py
	$(BIN)/python -P benchmarks/lists.py --runs 10
	$(BIN)/python -P benchmarks/big_document.py
	$(BIN)/python -P benchmarks/approvals.py
	# The whole service under moto takes minutes for 1,000 payments: the file writer alone here.
	$(BIN)/python -P benchmarks/payments.py --skip-service

clean:
	rm -rf $(VENV) cdk.out build .pytest_cache .ruff_cache web/dist web/node_modules
