# Lead CRM addons for Odoo 18.0 - developer commands.
# Settings can be given on the command line: make run ODOO_PATH=/srv/odoo-18.0 HTTP_PORT=8070
ODOO_PATH ?= /opt/odoo/18.0
export ODOO_PATH
export DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME TEST_DB HTTP_PORT VENV PYTHON RUN_DIR

WS := bash tests/workspace.sh

.PHONY: help setup run stop test lint bench shell dist screenshots

help:
	@echo "make run     serve Odoo with the three addons on http://localhost:8069"
	@echo "make stop    stop what 'make run' started"
	@echo "make test    static checks + every test (browser tours included) on a fresh database"
	@echo "make lint    static checks only"
	@echo "make bench   performance benchmark (ARGS=\"--only scoring\" for one part)"
	@echo "make dist    build the three addons' wheels into dist/"
	@echo "make screenshots  refresh the Apps page screenshots in static/description/"

setup:
	@$(WS) setup

run:
	@$(WS) run

stop:
	@$(WS) stop

test:
	@$(WS) test $(TESTS)

lint:
	@$(WS) lint

bench:
	@$(WS) bench $(ARGS)

dist:
	@$(WS) dist

screenshots:
	@$(WS) screenshots

shell:
	@$(WS) shell
