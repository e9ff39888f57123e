"""A reserved static public ingress address per cluster (the Cloudflare pools' origins)."""

from infra.ingress.address import IngressAddress

__all__ = ["IngressAddress"]
