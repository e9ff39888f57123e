"""Baseline security of data stores: not public, encrypted at rest, TLS only."""
