# Scale benchmark (issue 6): a synthetic archive of 1,000 and 10,000 documents through the
# whole pipeline. Results: build/bench/compare.md (table) and build/bench/<N>/bench.json.
PYTHON ?= python
BENCH_OUT ?= build/bench

.PHONY: bench bench-1k bench-report

bench:
	$(PYTHON) -m generator.dev.bench --compare 1000 10000 --out $(BENCH_OUT)

bench-1k:
	$(PYTHON) -m generator.dev.bench --docs 1000 --out $(BENCH_OUT)

bench-report:
	$(PYTHON) -m generator.dev.bench --report 1000 10000 --out $(BENCH_OUT)
