"""Cloudflare global load balancing in front of every cluster's ingress."""

from infra.cloudflare.load_balancing import GlobalLoadBalancing

__all__ = ["GlobalLoadBalancing"]
