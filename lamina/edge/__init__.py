"""The edge: one ASGI application on one port, composed of small layers, one concern each."""
