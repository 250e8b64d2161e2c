"""API Gateway's access logs, for REST, HTTP and WebSocket APIs alike: a stage's settings
(settings.py), one line per request rendered from its format's `$context` variables
(format.py, trace.py), written to the stage's CloudWatch Logs log group in batches
(writer.py)."""
