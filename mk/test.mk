# The commands that build a tree and run something in it (included by the
# Makefile): make test, check-clang, coverage, demo, clean.  Each installs
# what it needs first (tools/deps.sh: apt-get as root, else the command).

COV_FLAGS := -O0 -g --coverage

.PHONY: test check-clang coverage demo clean deps-build deps-test deps-cov

deps-build:
	@tools/deps.sh build
deps-test:
	@tools/deps.sh test
deps-cov:
	@tools/deps.sh coverage

test: deps-test
	@$(MAKE) --no-print-directory $(BUILD_J) O=build/san OPT="$(SAN_FLAGS)" tests
	@tools/run-tests.sh build/san/tests $(TEST_OUTPUT)

# Warning-free with clang as well, and the tests once more under clang's
# ASan+UBSan: its bounds checks see pointers formed outside an array, which
# gcc's do not, and the order it evaluates arguments in differs from gcc's.
check-clang:
	@tools/deps.sh clang
	@$(MAKE) --no-print-directory $(BUILD_J) O=build/clang CC=clang OPT="$(SAN_FLAGS)" lib tests
	@tools/run-tests.sh build/clang/tests $(TEST_OUTPUT)

coverage: deps-test deps-cov
	@rm -rf build/cov/sim build/cov/coverage.info
	@$(MAKE) --no-print-directory $(BUILD_J) O=build/cov OPT="$(COV_FLAGS)" tests
	@find build/cov -name '*.gcda' -delete
	@tools/run-tests.sh build/cov/tests
	@tools/coverage.sh build/cov

demo: deps-build
	@$(MAKE) --no-print-directory $(BUILD_J) all
	@$(O)/vfiosim migrate

clean:
	rm -rf build
