"""The private mesh between clouds: IPsec VPN with BGP, or dedicated partner circuits, per link."""

from infra.interconnect.gateways import AwsNetwork, AzureNetwork, ClusterNetwork, GcpNetwork
from infra.interconnect.mesh import Interconnect
from infra.interconnect.plan import LinkPlan, Tunnel, link_plans

__all__ = ["AwsNetwork", "AzureNetwork", "ClusterNetwork", "GcpNetwork", "Interconnect", "LinkPlan", "Tunnel", "link_plans"]
