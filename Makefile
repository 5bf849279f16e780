# Two targets a new user needs: `make demo` (the main study on built-in data) and `make test`.
# Each creates .venv with the package and its test extras on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench bench-quick results clean docs

# the versions the committed results were made with (constraints.txt), so the demo gives them back
$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	touch $@

# the flagship sweep (resumes if interrupted; tables, report.md and figures under
# results/cap_tradeoff/), then the loss-function post reproduced (results/seed_blog/); the committed
# files come back byte for byte (tests/test_demo.py), so git status stays clean

demo: $(BIN)/.installed
	$(BIN)/tradeoff run experiments/cap_tradeoff.toml --jobs 2
	$(BIN)/tradeoff run experiments/seed_blog.toml

test: $(BIN)/.installed
	$(BIN)/python -m pytest

# every committed study regenerated from scratch (commit first: each execution.json records the commit,
# and whether the tree had edits outside results/); about an hour on two idle cores, half of it
# scaling_d, whose runs have wall-clock budgets (run it on an otherwise idle machine). fairness_compas reads
# ProPublica's file (not shipped) from TRADEOFF_COMPAS_CSV, passed through from the environment or
# the command line: make results TRADEOFF_COMPAS_CSV=/path/to/compas-scores-two-years.csv
STUDIES := cap_tradeoff seed_blog shootout fairness_diabetes fairness_cps1985 fairness_arrests fairness_synthetic fairness_adult fairness_compas scaling_d
export TRADEOFF_COMPAS_CSV
results: $(BIN)/.installed
	@test -n "$$TRADEOFF_COMPAS_CSV" || { echo "make results: set TRADEOFF_COMPAS_CSV to the path of ProPublica's compas-scores-two-years.csv (fairness_compas needs it; see experiments/fairness_compas.toml)"; exit 1; }
	for s in $(STUDIES); do $(BIN)/tradeoff run experiments/$$s.toml --jobs 2 --fresh || exit 1; done
	$(BIN)/python -m tradeoff.experiments.docs_tables  # the docs' tables and quoted numbers from the new CSVs

# the performance benchmarks, each printing its table and writing it to benchmarks/results/<name>.json
# (see benchmarks/README.md; ~25 minutes); then the docs' tables regenerated from those files
bench: $(BIN)/.installed
	cd benchmarks && for b in front_quality exact_front construction epoch sweep_scaling indicators fairlearn_vs_exact adult adult_mgda_chebyshev mlp_epoch synthetic_family hv_epo; do \
		echo "== $$b"; ../$(BIN)/python $$b.py || exit 1; done
	$(BIN)/python benchmarks/tables.py

# every benchmark's quick check (under a minute): each target a ratio measured in one run; exits
# non-zero on a miss. Not part of `make test`: timings on a shared machine are noisy
bench-quick: $(BIN)/.installed
	$(BIN)/python benchmarks/quick.py

clean:
	rm -rf $(VENV) build src/*.egg-info

# the API reference from the docstrings (pdoc), into docs/api/ (open docs/api/index.html); fails on
# any pdoc warning or broken link, as tests/test_docs_build.py (run by `make test`) does
docs: $(BIN)/.installed
	$(BIN)/python -m tests.test_docs_build docs/api
