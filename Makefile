# Thin wrapper around CMake for the two newcomer commands: `make demo` and `make check`.
BUILD       ?= build
ASAN_BUILD  ?= build-asan
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian 12 packages needed to build and to run every test level.
BUILD_DEBS := cmake ninja-build gcc pkg-config clang clang-format valgrind python3 \
	libglib2.0-dev libglib2.0-bin libnvme-dev libjson-c-dev libssl-dev \
	libavahi-glib-dev libavahi-client-dev libudev-dev libsystemd-dev \
	libglib-testing-0-dev dbus-daemon dbus \
	scdoc man-db systemd dpkg-dev file
VM_DEBS    := $(shell cat test/vm/packages.txt 2>/dev/null)
DEBS       := $(sort $(BUILD_DEBS) $(VM_DEBS))
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build check check-fast check-asan bench format format-check demo install deb clean

all: build

# Idempotent: apt-get runs only when a package is missing.
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else echo "deps: all $(words $(DEBS)) packages present"; fi

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSTAS_SANITIZE=ON $(CMAKE_FLAGS)

# Every test level: unit, dbus, e2e, vm (real kernel); then unit/dbus/e2e under ASan+UBSan.
check: build format-check
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --no-tests=error
	$(MAKE) --no-print-directory check-asan

check-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE vm

check-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -L 'unit|dbus|e2e' --no-tests=error

# Benchmarks (test/bench/): print figures, assert nothing; not part of `make check`.
BENCH_ITERATIONS ?= 5
bench: build
	$(BUILD)/test/bench/bench-staf-dbus --dcs 10 --entries 1000 --iterations 20
	$(BUILD)/test/bench/bench-staf-dbus --dcs 100 --entries 1024 --iterations $(BENCH_ITERATIONS)
	bash test/bench/bench-stafd-process.sh $(BUILD)

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)

format-check: deps
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: ok"

# Boots the VM fabric (real kernel NVMe/TCP target) and shows stas at work on it.
demo: build
	bash test/vm/demo.sh --build $(abspath $(BUILD))

install: build
	cmake --install $(BUILD)

# Debian package of the install layout: $(BUILD)/stas_<version>_<arch>.deb
deb: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
