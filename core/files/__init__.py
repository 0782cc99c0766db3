"""Stored files: uploaded materials and generated documents, on local disk by default."""
