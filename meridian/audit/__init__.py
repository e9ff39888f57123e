"""The residency audit: the pack's rules run over a stack's state, plus an inventory a compliance
reviewer can read (stores, keys, replicas, residency-bound hostnames)."""

from meridian.audit.report import Report, build_report

__all__ = ["Report", "build_report"]
