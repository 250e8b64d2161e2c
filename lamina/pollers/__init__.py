"""The poller framework (DESIGN decision 12): one engine for every pull-based event source of
Lambda's event source mappings. The fleet (`fleet.py`) claims a mapping's workers through leases
in the store, a worker (`worker.py`) gathers batches (`batching.py`), filters them
(`filtering.py`), invokes the function through Lambda's own Invoke, and checkpoints per source;
a small adapter per source (`sqs.py`) says how to fetch, build records, acknowledge and fail.
"""
