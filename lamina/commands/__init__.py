"""The `lamina` subcommands that talk to a running node as a client (invoke, logs)."""
