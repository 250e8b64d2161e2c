"""HTTP-to-Lambda events, one builder per payload format (DESIGN decision 12): function URLs now,
API Gateway HTTP APIs and WebSocket routes later."""
