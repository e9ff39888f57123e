"""The private mesh between clouds: IPsec VPN with BGP, or dedicated partner circuits, per link.
Each cloud's end is in infra/<cloud>/interconnect.py (its network handle and gateway)."""

from infra.interconnect.gateways import Gateway, NetworkHandle
from infra.interconnect.mesh import Interconnect
from infra.interconnect.plan import LinkPlan, Tunnel, link_plans

__all__ = ["Gateway", "Interconnect", "LinkPlan", "NetworkHandle", "Tunnel", "link_plans"]
