# SPDX-License-Identifier: Apache-2.0
# What a user types. CMake does the building underneath; every target that needs Debian packages installs them.
#   make              build everything (host tools, SDK, firmware, fuzzers)
#   make demo         a QEMU device crashes 8 ways; a local faultline-server shows the issues
#   make test         run every test (unit, on-target in QEMU, fuzz with a fixed seed, end-to-end)
#   make test SANITIZE=1   the same with ASan + UBSan on host code
#   make size         flash and RAM the SDK adds to a minimal Cortex-M3 application
#   make bench        benchmarks that print numbers
#   make fuzz         a longer fuzzing campaign: FUZZ_SECONDS (default 60) per harness, random seeds (it runs the
#                     QEMU crash scenarios first: fuzz_analysis and fuzz_elf start from their messages)
MAKEFLAGS += --no-print-directory
SANITIZE ?= 0
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

ifeq ($(SANITIZE),1)
BUILD ?= build/sanitize
CMAKE_FLAGS += -DFL_SANITIZE=ON
else
BUILD ?= build/default
endif

.PHONY: all build deps demo test size bench fuzz clean
FUZZ_SECONDS ?= 60

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/Makefile: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

size: build
	@scripts/size-report.sh $(BUILD)

bench: build
	cmake --build $(BUILD)/firmware --target bench-large -j $(JOBS)
	@scripts/bench.sh $(BUILD)

# The QEMU crash scenarios run first: their logs give fuzz_analysis its seeds, fuzz_elf its dumps.
fuzz: build
	@log=$(BUILD)/fuzz/scenarios.log; \
	(cd $(BUILD) && ctest -R '^target/faults-m3/') > $$log || { cat $$log; exit 1; }; \
	mkdir -p $(BUILD)/fuzz/seeds/fuzz_analysis; \
	$(BUILD)/log2msgs $(BUILD)/fuzz/seeds/fuzz_analysis $(BUILD)/crash-logs/*.log > /dev/null; \
	tests/fuzz/elf-seeds.sh $(BUILD) $(BUILD)/fuzz/seeds/fuzz_elf $(BUILD)/fuzz/msgs/fuzz_elf; \
	export FL_FUZZ_ELF=$(BUILD)/firmware/tests/target/faults-m3.elf FL_FUZZ_MSGS=$(BUILD)/fuzz/msgs/fuzz_elf; \
	list=tests/fuzz/fuzzers.cmake; \
	for f in $$(sed -n 's/^  \(fuzz_[a-z_]*\).*/\1/p' $$list); do \
		dir=$(BUILD)/fuzz/campaign/$$f; mkdir -p $$dir; echo "== $$f ($(FUZZ_SECONDS) s, log $$dir.log)"; \
		seeds=tests/fuzz/corpus/$$f; [ -d $$seeds ] || seeds=$(BUILD)/fuzz/seeds/$$f; \
		flags=$$(sed -n "s/^set(FL_FUZZ_FLAGS_$$f \(.*\))$$/\1/p" $$list); \
		[ -n "$$flags" ] || flags=$$(sed -n 's/^set(FL_FUZZ_FLAGS \(.*\))$$/\1/p' $$list); \
		if $(BUILD)/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) $$flags -print_final_stats=1 \
			-artifact_prefix=$$dir- $$dir $$seeds > $$dir.log 2>&1; \
		then grep -E '^Done' $$dir.log; else tail -30 $$dir.log; exit 1; fi; \
	done

clean:
	rm -rf build
