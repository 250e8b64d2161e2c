"""Execution: environments that run a function's code in a sandbox, reused while warm."""
