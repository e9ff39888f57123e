"""The VPC of an AWS cluster region: private subnets for nodes (one per AZ), public subnets for load
balancers and NAT, an internet gateway, NAT gateway(s) and one private route table per AZ.

Address plan, from `network.cidr` (prefix /16 to /22, checked in meridian.config.checks_aws):
the range is cut in eight blocks of prefix+3; the first `azs` blocks are the private subnets
(a /16 gives /19s: ~8k node and pod IPs per AZ with the VPC CNI), the last block is cut again in
prefix+6 pieces for the public subnets (a /16 gives /22s)."""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_aws as aws
import pulumi_aws.ec2 as ec2
from pulumi import ResourceOptions

from infra.aws.flow_logs import VpcFlowLogs
from meridian.config import Cluster, StackConfig


def subnet_plan(cidr: ipaddress.IPv4Network, azs: int) -> tuple[list[str], list[str]]:
    """(private, public) subnet CIDRs for `azs` availability zones, carved from the VPC range."""
    blocks = list(cidr.subnets(prefixlen_diff=3))
    private = [str(b) for b in blocks[:azs]]
    public = [str(b) for b in list(blocks[-1].subnets(prefixlen_diff=3))[:azs]]
    return private, public


def nat_gateway_count(stack: StackConfig, azs: int) -> int:
    """One NAT gateway per AZ where an AZ outage must not cut egress; a single one in dev."""
    return 1 if stack.environment == "dev" else azs


class AwsNetwork(pulumi.ComponentResource):
    """VPC + subnets + IGW + NAT + route tables for one cluster region.

    Public attributes (for the interconnect and cluster components):
      vpc_id: Output[str]; cidr: str (the VPC range);
      private_subnet_ids / public_subnet_ids: list[Output[str]] (index = AZ index);
      private_route_table_ids: list[Output[str]] (one per AZ; add VPN/TGW routes to each);
      public_route_table_id: Output[str]; nat_gateway_ids: list[Output[str]];
      availability_zones: list[Output[str]] (AZ names, index = AZ index);
      flow_logs (VpcFlowLogs: every flow, to CloudWatch Logs in the VPC's region)."""

    def __init__(
        self, name: str, *, cluster: Cluster, stack: StackConfig, tags: dict[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:Network", name, None, opts)
        child = ResourceOptions(parent=self)
        azs = cluster.network.azs
        self.cidr = str(cluster.network.cidr)
        private_cidrs, public_cidrs = subnet_plan(cluster.network.cidr, azs)
        k8s_tag = {f"kubernetes.io/cluster/{cluster.name}": "shared"}

        # Standard AZs of this region only (no Local/Wavelength Zones). The region-name filter is
        # redundant for the provider (which answers for its own region) but makes the answer explicit.
        zones = aws.get_availability_zones_output(
            state="available",
            filters=[
                aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"]),
                aws.GetAvailabilityZonesFilterArgs(name="region-name", values=[cluster.region]),
            ],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )

        def az(i: int) -> pulumi.Output[str]:
            def pick(names: list[str]) -> str:
                if i >= len(names):
                    raise ValueError(
                        f"cluster {cluster.name!r}: network.azs = {azs} but {cluster.region} offers only "
                        f"{len(names)} standard availability zones ({', '.join(names)})"
                    )
                return sorted(names)[i]

            return zones.names.apply(pick)

        self.availability_zones = [az(i) for i in range(azs)]

        vpc = ec2.Vpc(
            f"{name}-vpc",
            cidr_block=self.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={**tags, "Name": f"{cluster.name}-vpc"},
            opts=child,
        )
        self.vpc_id = vpc.id
        self.flow_logs = VpcFlowLogs(name, cluster=cluster, stack=stack, vpc_id=vpc.id, tags=tags, opts=child)

        igw = ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags={**tags, "Name": f"{cluster.name}-igw"}, opts=child
        )
        public_rt = ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags={**tags, "Name": f"{cluster.name}-public"},
            opts=child,
        )
        self.public_route_table_id = public_rt.id

        public_subnets: list[ec2.Subnet] = []
        private_subnets: list[ec2.Subnet] = []
        for i in range(azs):
            pub = ec2.Subnet(
                f"{name}-public-{i}",
                vpc_id=vpc.id,
                cidr_block=public_cidrs[i],
                availability_zone=self.availability_zones[i],
                map_public_ip_on_launch=False,
                tags={**tags, **k8s_tag, "Name": f"{cluster.name}-public-{i}", "kubernetes.io/role/elb": "1",
                      "meridian.io/tier": "public"},
                opts=child,
            )
            ec2.RouteTableAssociation(f"{name}-public-{i}", subnet_id=pub.id, route_table_id=public_rt.id, opts=child)
            public_subnets.append(pub)
            private_subnets.append(
                ec2.Subnet(
                    f"{name}-private-{i}",
                    vpc_id=vpc.id,
                    cidr_block=private_cidrs[i],
                    availability_zone=self.availability_zones[i],
                    tags={**tags, **k8s_tag, "Name": f"{cluster.name}-private-{i}",
                          "kubernetes.io/role/internal-elb": "1", "meridian.io/tier": "private"},
                    opts=child,
                )
            )

        nats: list[ec2.NatGateway] = []
        for i in range(nat_gateway_count(stack, azs)):
            eip = ec2.Eip(f"{name}-nat-{i}", domain="vpc", tags={**tags, "Name": f"{cluster.name}-nat-{i}"}, opts=child)
            nats.append(
                ec2.NatGateway(
                    f"{name}-nat-{i}",
                    allocation_id=eip.id,
                    subnet_id=public_subnets[i].id,
                    tags={**tags, "Name": f"{cluster.name}-nat-{i}"},
                    opts=ResourceOptions(parent=self, depends_on=[igw]),
                )
            )

        private_rts: list[ec2.RouteTable] = []
        for i in range(azs):
            # Routes are separate resources so the interconnect engineer can add VPN / TGW routes to
            # these tables without fighting inline `routes`.
            rt = ec2.RouteTable(
                f"{name}-private-{i}", vpc_id=vpc.id, tags={**tags, "Name": f"{cluster.name}-private-{i}"}, opts=child
            )
            ec2.Route(
                f"{name}-private-{i}-egress",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nats[i % len(nats)].id,
                opts=child,
            )
            ec2.RouteTableAssociation(f"{name}-private-{i}", subnet_id=private_subnets[i].id, route_table_id=rt.id,
                                      opts=child)
            private_rts.append(rt)

        self.private_subnet_ids = [s.id for s in private_subnets]
        self.public_subnet_ids = [s.id for s in public_subnets]
        self.private_route_table_ids = [rt.id for rt in private_rts]
        self.nat_gateway_ids = [n.id for n in nats]
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "cidr": self.cidr,
                "privateSubnetIds": self.private_subnet_ids,
                "publicSubnetIds": self.public_subnet_ids,
                "privateRouteTableIds": self.private_route_table_ids,
                "publicRouteTableId": self.public_route_table_id,
                "natGatewayIds": self.nat_gateway_ids,
            }
        )
