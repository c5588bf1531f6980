PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test system-deps fuzz examples generated benchmark format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

# Graphviz and Chromium from Debian's packages, where missing and apt-get can install
# them (root or password-less sudo); never fails: without them their tests skip.
system-deps:
	.ci/system-deps

# Many random programs, every construct family on; failures, shrunk, go to build/.
FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP)
	$(BIN)/python tests/fuzz.py --examples $(FUZZ_EXAMPLES) --out build/fuzz-failures.txt --verbose

examples: $(STAMP)
	$(BIN)/python examples/mds.py
	$(BIN)/python examples/mlp.py
	$(BIN)/python examples/newton.py
	$(BIN)/python examples/trace_estimation.py
	$(BIN)/python examples/hessian_spectrum.py
	$(BIN)/python examples/jacobian_modes.py
	$(BIN)/python examples/checkpointing.py
	$(BIN)/python examples/adaptive_stepping.py
	$(BIN)/python examples/ad_vs_fd_vs_symbolic.py

generated: $(STAMP)
	$(BIN)/python examples/regenerate.py

benchmark: $(STAMP)
	$(BIN)/python benchmarks/scalar.py
	$(BIN)/python benchmarks/arrays.py
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/second_order.py
	$(BIN)/python benchmarks/sparse.py
	$(BIN)/python benchmarks/jacobians.py
	$(BIN)/python benchmarks/checkpointing.py

format: $(STAMP)
	$(BIN)/black s2sad tests examples benchmarks

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
