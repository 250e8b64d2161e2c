"""The durable work queue (DESIGN decision 11): items written in the transaction that caused
them, claimed by one node with a lease, retried with backoff, dead-lettered by their kind."""
