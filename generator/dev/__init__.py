"""Developer tools, not imported by the runtime: the benchmark (``bench``), the synthetic
archive it builds (``synthetic``) and the search evaluation (``search_eval``)."""
