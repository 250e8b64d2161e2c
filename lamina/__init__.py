"""Lamina: AWS Lambda and the serverless services around it, self-hosted."""

__version__ = "0.1.0"
