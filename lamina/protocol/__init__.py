"""The protocol layer: AWS wire formats, parsed and serialized from botocore's models."""
