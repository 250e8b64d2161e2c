"""STS: temporary credentials and the caller's identity."""
