"""CloudWatch Logs: log groups, log streams, log events, retention."""
