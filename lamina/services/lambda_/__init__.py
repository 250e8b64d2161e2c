"""AWS Lambda: the control plane (functions, configuration, tags, concurrency settings)."""
