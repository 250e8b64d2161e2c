import sys

from bench import (
    async_invoke,
    control_plane,
    event_sources,
    function_urls,
    http_apis,
    identity,
    invoke,
    log_sink,
    sandbox,
    signatures,
    sqs,
    websocket_apis,
)

# `python -m bench [control_plane|identity|invoke|async_invoke|signatures|sqs|event_sources|
# function_urls|http_apis|websocket_apis|log_sink|sandbox]`:
# some of them, or all.
wanted = set(sys.argv[1:]) or {
    "control_plane",
    "identity",
    "invoke",
    "async_invoke",
    "signatures",
    "sqs",
    "event_sources",
    "function_urls",
    "http_apis",
    "websocket_apis",
    "log_sink",
    "sandbox",
}
if "control_plane" in wanted:
    control_plane.run()
if "identity" in wanted:
    identity.run()
if "invoke" in wanted:
    invoke.run()
if "async_invoke" in wanted:
    async_invoke.run()
if "signatures" in wanted:
    signatures.run()
if "sqs" in wanted:
    sqs.run()
if "event_sources" in wanted:
    event_sources.run()
if "function_urls" in wanted:
    function_urls.run()
if "http_apis" in wanted:
    http_apis.run()
if "websocket_apis" in wanted:
    websocket_apis.run()
    websocket_apis.hold()
if "log_sink" in wanted:
    log_sink.run()
if "sandbox" in wanted:
    sandbox.run()
