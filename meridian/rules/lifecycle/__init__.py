"""Lifecycle rules: prod data survives a mistaken delete and keeps its history."""
