"""One package per AWS service; a provider method per operation: dict in, dict out."""
