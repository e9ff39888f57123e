"""Cloudflare global load balancing in front of every cluster's ingress."""

from infra.cloudflare.load_balancing import GlobalLoadBalancing
from infra.cloudflare.origin_tls import OriginCertificate, OriginPullAuth, OriginTls

__all__ = ["GlobalLoadBalancing", "OriginCertificate", "OriginPullAuth", "OriginTls"]
