# Quick start on a fresh Debian machine:  make run   |   make test   |   make bench
# Each target installs what is missing (apt-get), configures and builds.
BUILD ?= build
JOBS ?= $(shell nproc)
APT_PACKAGES = build-essential cmake libfmt-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev \
               libgtest-dev libgmock-dev libbenchmark-dev libtbb-dev libcpp-httplib-dev gnuplot-nox
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps configure build run test bench clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWAFERSCOPE_BENCH=ON >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/waferscope report --out report

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	./$(BUILD)/waferscope_bench

clean:
	rm -rf $(BUILD) report
