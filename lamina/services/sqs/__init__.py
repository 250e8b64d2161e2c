"""Amazon SQS: standard and FIFO queues, durable in the store, over json and query."""
