# Quick start on a fresh Debian machine:  make run   |   make test   |   make bench   |   make serve
# Each target installs what is missing (apt-get; npm for the page), configures and builds.
BUILD ?= build
JOBS ?= $(shell nproc)
APT_PACKAGES = build-essential cmake libfmt-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev \
               libgtest-dev libgmock-dev libbenchmark-dev libtbb-dev libcpp-httplib-dev libssl-dev zlib1g-dev \
               libbrotli-dev pkg-config gnuplot-nox chromium libopenmpi-dev openmpi-bin \
               python3-dev pybind11-dev python3-pandas python3-pytest python3-matplotlib jupyter-nbconvert \
               python3-ipykernel python3-distributed python3-pip python3-setuptools python3-wheel
# Debian's python3 (a python3 earlier on PATH, such as pyenv's, has none of Debian's python3-* packages).
PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps fuzz-deps configure web build python run test python-test bench serve sanitize fuzz clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# The calculator page: TypeScript + Vite + uPlot from npm, built into web/dist (served by `waferscope serve`).
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

web: deps web/node_modules/.package-lock.json
	cd web && npm run --silent build

# UNITY=ON compiles the library in batches of 8 files (CMake's unity build, CMakeLists.txt WAFERSCOPE_UNITY): a
# full build takes half the CPU time (common headers parsed and instantiated once per batch), an edit recompiles
# its whole batch. CI builds from scratch twice, so .ci/run turns it on; off keeps the edit-compile loop short.
UNITY ?= OFF
configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWAFERSCOPE_BENCH=ON \
	  -DWAFERSCOPE_PYTHON=ON -DPython_EXECUTABLE=$(PYTHON) -DWAFERSCOPE_UNITY=$(UNITY) >/dev/null

build: configure web
	@cmake --build $(BUILD) -j $(JOBS)

# The Python package into $(BUILD)/python/waferscope/: PYTHONPATH=$(BUILD)/python python3 -c "import waferscope"
python: configure
	@cmake --build $(BUILD) -j $(JOBS) --target waferscope_python

run: build
	./$(BUILD)/waferscope report --out report

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory python-test

# The Python tests (python/tests/) and the example notebook, executed as CI runs them (needs `make build`).
python-test:
	PYTHONPATH=$(BUILD)/python WAFERSCOPE_BIN=$(BUILD)/waferscope $(PYTHON) -m pytest -q -p no:cacheprovider python/tests
	PYTHONPATH=$(abspath $(BUILD))/python PYDEVD_DISABLE_FILE_VALIDATION=1 $(PYTHON) -m nbconvert --to notebook --execute \
	  --ExecutePreprocessor.timeout=300 --output-dir $(BUILD)/notebooks docs/notebooks/*.ipynb

# The peer simulator run side by side with ours (pinned in bench/inference-lab/package-lock.json, from npm).
bench/inference-lab/node_modules/.package-lock.json: bench/inference-lab/package.json bench/inference-lab/package-lock.json
	cd bench/inference-lab && npm ci --no-audit --no-fund --loglevel=error

# Google Benchmark suite, MPI speed-up, then inference-lab side by side at 2,000 and 20,000 requests (its time grows
# faster than linearly with the requests once its queue builds, so the ratio depends on N: both are printed).
INFERENCE_LAB = bench/inference-lab/node_modules/@doublewordai/inference-lab
bench: build bench/inference-lab/node_modules/.package-lock.json
	./$(BUILD)/waferscope_bench
	bench/mpi_speedup.sh ./$(BUILD)/waferscope
	WAFERSCOPE_BIN=./$(BUILD)/waferscope bench/inference_lab_side_by_side.sh $(INFERENCE_LAB) 2000
	WAFERSCOPE_BIN=./$(BUILD)/waferscope bench/inference_lab_side_by_side.sh $(INFERENCE_LAB) 20000

serve: build
	./$(BUILD)/waferscope serve

# ASan + UBSan and libFuzzer (clang-14 and its runtime from Debian). One build folder serves both targets:
# `make sanitize` runs the unit tests there, `make fuzz` runs every harness FUZZ_SECONDS each (tests/fuzz/).
SAN_BUILD ?= build-san
# Refits of the device classes (20-40 s optimised) take over 10 minutes under the sanitizers; the same code
# runs in the other calibration tests, so the sanitizer run leaves this one test to `make test`.
# The two Mooncake traces on CS-3 (100 s each under the sanitizers, 9 s optimised) run the simulator's code that
# the Azure traces and the synthetic cases exercise in the same sanitizer run; `make test` runs them in full.
# Three more, for CI's 15 minutes (13.2 min on 2 cores on 2026-11-30): the layer-vs-simulator sweep (28 s sanitized;
# the FabricKernels tests run the same simulator code), the business half of the report (25 s; its commands run
# in their own CLI tests) and the MPI frontier (18 s; the other Mpi.* byte-identity tests stay).
SANITIZE_SKIP_TESTS = Calibration.StoredConstantsAreTheFit CrossValidation.WaferRecomputedEqualsTheStoredFile \
                      mooncake_conversation_trace_cs_3 mooncake_synthetic_trace_cs_3 \
                      WaferDevice.AgreesWithTheFabricSimulator CliReport.WritesTheBusinessSide \
                      Mpi.FrontierOfEveryModelOnEveryHardwareIsByteIdentical
empty :=
space := $(empty) $(empty)
SANITIZE_SKIP = $(subst $(space),|,$(strip $(SANITIZE_SKIP_TESTS)))
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= $(JOBS)
fuzz-deps: deps
	@for p in clang-14 libclang-rt-14-dev; do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

$(SAN_BUILD)/CMakeCache.txt: CMakeLists.txt | fuzz-deps
	@cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DWAFERSCOPE_FUZZ=ON -DWAFERSCOPE_BROWSER_TEST=OFF -DWAFERSCOPE_PYTHON=OFF \
	  -DWAFERSCOPE_UNITY=$(UNITY) >/dev/null

sanitize: fuzz-deps $(SAN_BUILD)/CMakeCache.txt
	@cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -E '$(SANITIZE_SKIP)'

fuzz: fuzz-deps $(SAN_BUILD)/CMakeCache.txt
	@cmake --build $(SAN_BUILD) -j $(JOBS)
	tests/fuzz/run_fuzz.sh $(SAN_BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) build-pip report web/dist
