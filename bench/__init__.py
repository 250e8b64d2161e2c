"""Benchmarks: run with `make bench` (python -m bench). Figures go to BENCHMARKS.md by hand."""
