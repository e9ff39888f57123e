"""Residency rules: where data, its keys, replicas, logs and backups may live; where traffic may go."""
