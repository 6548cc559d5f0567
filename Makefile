# One command per workflow. uv is bootstrapped with pip when it is missing.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
YEAR ?= 2025
SEED ?= 1

export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__PARALLELISM := 4
export AIRFLOW__LOGGING__LOGGING_LEVEL := WARNING
export GX_ANALYTICS_ENABLED := False
export KINERJA_DRIVE_DIR ?= $(CURDIR)/data/drive
# Slots of the pool kinerja_warehouse, and the batches a collection run maps (one per slot).
export KINERJA_WAREHOUSE_POOL_SLOTS ?= 2

.PHONY: uv install install-test demo test test-unit lint bench airflow-db airflow backfill rehearsal clean

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
	  || python3 -m pip install --quiet uv

# --compile-bytecode: every process (each Airflow task, each `kinerja` command) imports from .pyc
# files instead of compiling Great Expectations & co. again (where PYTHONDONTWRITEBYTECODE is set,
# nothing else writes them); seconds once per install, then a few seconds saved per process.
install: uv
	$(UV) sync --frozen --inexact --compile-bytecode

install-test: uv
	$(UV) sync --frozen --extra test --compile-bytecode

airflow-db: install
	@mkdir -p $(AIRFLOW_HOME)
	$(UV) run airflow db migrate >/dev/null
	$(UV) run airflow pools set kinerja_warehouse $(KINERJA_WAREHOUSE_POOL_SLOTS) "Warehouse writers (collect_submissions)" >/dev/null

# The whole year on this machine: generate a year of submissions on the local "shared drive",
# run the collection DAG through Airflow against the embedded SQLite warehouse and print what
# happened; then build the reports through the compile_reports DAG, approve them as a labelled
# demo reviewer (not the tim ahli), plan the Satu Data publication (dry run) and print where to
# open the PDF, the HTML and the PD bundles (scripts/demo.py; README: Quick start).
demo: airflow-db
	$(UV) run kinerja sample --year $(YEAR) --out $(KINERJA_DRIVE_DIR) --seed $(SEED)
	@echo "Menjalankan DAG collect_submissions (airflow dags test, tahun $(YEAR); log: $(AIRFLOW_HOME)/demo-dag-test.log) ..."
	@$(UV) run airflow dags test collect_submissions --conf '{"tahun": $(YEAR)}' \
	  > $(AIRFLOW_HOME)/demo-dag-test.log 2>&1 \
	  || { tail -50 $(AIRFLOW_HOME)/demo-dag-test.log; \
	       echo "DAG run collect_submissions GAGAL (log lengkap: $(AIRFLOW_HOME)/demo-dag-test.log)"; exit 1; }
	$(UV) run kinerja status --year $(YEAR)
	@echo "DAG run collect_submissions BERHASIL (tahun $(YEAR); log: $(AIRFLOW_HOME)/demo-dag-test.log)"
	@$(UV) run python scripts/demo.py --tahun $(YEAR)

# The fast tier: tests/unit only, no servers (tests/unit/conftest.py fails a test that needs one),
# the fuzz tests with 5 examples each (`make test` runs them with their full counts), on
# UNIT_WORKERS processes (pytest-xdist; worksteal: the few tests that build a whole year of
# reports do not end up queued behind each other).
FUZZ_EXAMPLES ?= 5
UNIT_WORKERS ?= 2
test-unit: install-test
	KINERJA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(UV) run pytest tests/unit -q -n $(UNIT_WORKERS) --dist worksteal

# Everything: unit, DAG, integration (real servers) and the rehearsal.
test: install-test
	$(UV) run pytest

# The production topology (deploy/airflow.env: CeleryExecutor, two workers) on 127.0.0.1 with
# real SMB, PostgreSQL, SMTP and CKAN servers; one yearly cycle with faults; everything it starts
# it stops. Ends with `rehearsal: {json}` (README: Deploying). KEEP=DIR keeps the logs there.
rehearsal: install-test
	$(UV) run python -m tests.rehearsal $(if $(KEEP),--keep $(KEEP))

# Benchmarks print their figures with the command that made them (see README: Performance).
bench: install-test
	$(UV) run python bench/deadline_burst.py
	$(UV) run python bench/dag_burst.py
	$(UV) run python bench/load.py
	$(UV) run python bench/validation.py
	$(UV) run python bench/dag_parse.py
	$(UV) run python bench/scale.py
	$(UV) run python bench/satu_data_sync.py
	$(UV) run python bench/executor_burst.py
	$(UV) run python bench/mail_latency.py

lint: install-test
	$(UV) run ruff check .
	$(UV) run ruff format --check include dags plugins tests bench
	$(UV) run mypy
	$(UV) run lint-imports --no-cache

# The local Airflow UI with the project's DAGs, the sample drive and the SQLite warehouse (see
# README: logging in). The same four components as `airflow standalone`, started one by one so
# that everything listens on 127.0.0.1 only: standalone's scheduler and triggerer also start log
# servers on all interfaces, which --skip-serve-logs avoids (task logs are local files here).
# Ctrl-C stops them all.
AIRFLOW_PORT ?= 8080
AIRFLOW_PARALLELISM ?= 2
# Task latency on the LocalExecutor (docs/scale.md, "The DAG burst"; bench/dag_burst.py measures it):
# * its workers are forked from a forkserver ([scheduler] mp_start_method) that has imported once
#   what each task process would import after its fork: Great Expectations and the intake
#   (kinerja.preload, ~5 s per task), and Airflow's executor, the DAG bag that parses the DAG file
#   and the @task operator (~0.3 s per task). [core] mp_forkserver_preload, Airflow 3.3.
# * [scheduler] scheduler_idle_sleep_time 0.25 (default 1): after a loop with nothing to do the
#   scheduler sleeps this long, so a finished task's successor is queued ~0.15 s after it instead
#   of ~0.5 s (collect_submissions has 6 such steps in a row); an idle scheduler then uses ~8 %
#   of a core instead of ~3 % (0.1 s: ~12 %, for little more).
# * [workers] min_heartbeat_interval 1 (default 5): about half the time a task's supervisor reads
#   the end of its task process's output before the process can be reaped, then sleeps this long
#   before looking again, holding its executor slot (with parallelism 2, the next task waits in
#   the queue). A running task now heartbeats the API server each second instead of each 5 s.
AIRFLOW_FORKSERVER_PRELOAD := kinerja.preload,airflow.executors.local_executor,airflow.dag_processing.dagbag,airflow.providers.standard.decorators.python
AIRFLOW_IDLE_SLEEP := 0.25
AIRFLOW_MIN_HEARTBEAT := 1
airflow: airflow-db
	@test -d $(KINERJA_DRIVE_DIR)/$(YEAR) \
	  || $(UV) run kinerja sample --year $(YEAR) --out $(KINERJA_DRIVE_DIR) --seed $(SEED)
	@$(UV) run python scripts/airflow_local.py chain
	@echo "Airflow UI: http://127.0.0.1:$(AIRFLOW_PORT)  user admin, password:" \
	  "printed below on the first start, then in $(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated"
	@export AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT=$(AIRFLOW_PORT) AIRFLOW__API__WORKERS=1 \
	  AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:$(AIRFLOW_PORT)/execution/ \
	  AIRFLOW__CORE__PARALLELISM=$(AIRFLOW_PARALLELISM) AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES=1 \
	  AIRFLOW__LOGGING__LOGGING_LEVEL=INFO \
	  AIRFLOW__SCHEDULER__MP_START_METHOD=forkserver AIRFLOW__CORE__MP_FORKSERVER_PRELOAD=$(AIRFLOW_FORKSERVER_PRELOAD) \
	  AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME=$(AIRFLOW_IDLE_SLEEP) \
	  AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL=$(AIRFLOW_MIN_HEARTBEAT); \
	trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT INT TERM; \
	$(UV) run airflow api-server --host 127.0.0.1 --port $(AIRFLOW_PORT) & \
	$(UV) run airflow scheduler --skip-serve-logs & \
	$(UV) run airflow dag-processor & \
	$(UV) run airflow triggerer --skip-serve-logs & \
	wait -n

# Past years from an archive laid out like the drive (<ARSIP>/<tahun>/<KODE_PD>/<file>.xlsx), with
# Airflow's own backfill: `make backfill TAHUN=2022 ARSIP=/path` (several years: TAHUN="2021 2022").
# Uses the running scheduler of `make airflow`, else starts one of its own; ends with each year's
# status and where its report build waits for review (README: Backfilling past years).
TAHUN ?=
ARSIP ?=
backfill: airflow-db
	@test -n "$(TAHUN)" || { echo "make backfill TAHUN=2022 [ARSIP=/jalur/arsip]: TAHUN wajib diisi"; exit 2; }
	@$(UV) run python scripts/airflow_local.py backfill --tahun $(TAHUN) $(if $(ARSIP),--arsip "$(ARSIP)")

clean:
	rm -rf data .airflow .pytest_cache .mypy_cache .ruff_cache
