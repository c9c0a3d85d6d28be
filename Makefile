# The two commands a new machine needs: `make demo` and `make test`.
BUILD ?= build
PY := /usr/bin/python3

.PHONY: all deps build test demo bench clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/Makefile
	cmake -S . -B $(BUILD) >/dev/null
	$(MAKE) -C $(BUILD) --no-print-directory -j2

test: build
	$(PY) tests/run_tests.py

# The demo: the Mandelbrot program, then the notebooks executed headless
# through the Jupyter kernel (installed for this user), with their outputs
# printed and the executed copies saved in $(BUILD)/notebooks/.
demo: build
	$(BUILD)/ember run notebooks/mandelbrot.ember
	$(BUILD)/ember kernelspec install --user
	$(PY) scripts/run_notebooks.py --kernel ember --out $(BUILD)/notebooks notebooks/*.ipynb

# A failed build still gives the reference rows (Ember's read "unavailable").
bench:
	-@$(MAKE) --no-print-directory build
	$(PY) bench/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(BUILD)
