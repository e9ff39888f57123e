"""AwsLoadBalancerController: the controller every EKS LoadBalancer Service of the platform relies on.

The router's public ingress (infra.ingress, on the reserved Elastic IPs), its internal endpoint for
edge peers and Vault's API (infra.internal_lb) are annotated `aws-load-balancer-type: external`,
which the in-tree cloud provider leaves alone: the AWS Load Balancer Controller turns them into
NLBs with IP targets. Official eks-charts chart, on the system pool, with an IRSA role scoped like
the controller's published policy: read anything it needs to decide, create load balancers and
target groups only tagged as this cluster's, and modify or delete only what carries that tag.
The Service mutator webhook stays off: Services are annotated explicitly, nothing is rewritten."""

from __future__ import annotations

import json

import pulumi
from pulumi import ResourceOptions

from infra.aws import helm_addon
from infra.aws.cluster import EksCluster
from infra.aws.nodepools import EksNodePools
from infra.regional import POOL_LABEL
from meridian.config import Cluster

CHART = helm_addon.Chart(
    repo="https://aws.github.io/eks-charts", name="aws-load-balancer-controller", version="3.5.0",
    service_account="aws-load-balancer-controller",
)
CLUSTER_TAG = "elbv2.k8s.aws/cluster"  # the controller tags what it creates with it

_READ = [
    "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
    "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:DescribeCoipPools", "ec2:GetCoipPoolUsage",
    "ec2:DescribeRouteTables", "ec2:GetSecurityGroupsForVpc",
    "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
    "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes",
    "acm:ListCertificates", "acm:DescribeCertificate", "iam:ListServerCertificates",
    "iam:GetServerCertificate", "cognito-idp:DescribeUserPoolClient", "waf-regional:GetWebACL",
    "waf-regional:GetWebACLForResource", "wafv2:GetWebACL", "wafv2:GetWebACLForResource",
    "shield:GetSubscriptionState", "shield:DescribeProtection",
    # new in the v3 policy (docs/install/iam_policy.json at v3.5.0)
    "ec2:DescribeIpamPools", "elasticloadbalancing:DescribeCapacityReservation",
]
_MANAGE = [
    "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
    "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:ModifyListenerAttributes",
    "elasticloadbalancing:ModifyCapacityReservation", "elasticloadbalancing:ModifyIpPools",
]


def iam_policy(cluster_name: str) -> str:
    owned = {"StringEquals": {f"aws:ResourceTag/{CLUSTER_TAG}": cluster_name}}
    requested = {"StringEquals": {f"aws:RequestTag/{CLUSTER_TAG}": cluster_name}}
    elb = "arn:aws:elasticloadbalancing:*:*:"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ServiceLinkedRole",
                    "Effect": "Allow",
                    "Action": "iam:CreateServiceLinkedRole",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
                },
                {"Sid": "Read", "Effect": "Allow", "Action": _READ, "Resource": "*"},
                {
                    "Sid": "CreateOwned",
                    "Effect": "Allow",
                    "Action": [
                        "ec2:CreateSecurityGroup",
                        "elasticloadbalancing:CreateLoadBalancer",
                        "elasticloadbalancing:CreateTargetGroup",
                    ],
                    "Resource": "*",
                    "Condition": requested,
                },
                {
                    "Sid": "TagOnCreate",
                    "Effect": "Allow",
                    "Action": ["ec2:CreateTags", "elasticloadbalancing:AddTags"],
                    "Resource": [
                        "arn:aws:ec2:*:*:security-group/*",
                        f"{elb}targetgroup/*/*",
                        f"{elb}loadbalancer/net/*/*",
                        f"{elb}loadbalancer/app/*/*",
                    ],
                    "Condition": requested,
                },
                {
                    "Sid": "ManageOwned",
                    "Effect": "Allow",
                    "Action": [
                        *_MANAGE,
                        "ec2:AuthorizeSecurityGroupIngress",
                        "ec2:RevokeSecurityGroupIngress",
                        "ec2:DeleteSecurityGroup",
                        "ec2:CreateTags",
                        "ec2:DeleteTags",
                        "elasticloadbalancing:AddTags",
                        "elasticloadbalancing:RemoveTags",
                    ],
                    "Resource": "*",
                    "Condition": owned,
                },
                {
                    # Node/pod security groups the controller opens to its load balancers, and the
                    # listeners, rules and targets inside load balancers it owns (their ARNs carry no tag).
                    "Sid": "ListenersAndTargets",
                    "Effect": "Allow",
                    "Action": [
                        "ec2:AuthorizeSecurityGroupIngress",
                        "ec2:RevokeSecurityGroupIngress",
                        "elasticloadbalancing:SetRulePriorities",
                        "elasticloadbalancing:CreateListener",
                        "elasticloadbalancing:DeleteListener",
                        "elasticloadbalancing:ModifyListener",
                        "elasticloadbalancing:CreateRule",
                        "elasticloadbalancing:DeleteRule",
                        "elasticloadbalancing:ModifyRule",
                        "elasticloadbalancing:RegisterTargets",
                        "elasticloadbalancing:DeregisterTargets",
                        "elasticloadbalancing:AddListenerCertificates",
                        "elasticloadbalancing:RemoveListenerCertificates",
                        "elasticloadbalancing:SetWebAcl",
                    ],
                    "Resource": "*",
                },
            ],
        }
    )


def helm_values(cluster: Cluster, vpc_id: str, role_arn: str) -> dict:
    return {
        "clusterName": cluster.name,
        "region": cluster.region,
        "vpcId": vpc_id,
        "replicaCount": 2,
        "serviceAccount": {
            "create": True,
            "name": CHART.service_account,
            "annotations": {"eks.amazonaws.com/role-arn": role_arn},
        },
        "enableServiceMutatorWebhook": False,
        "nodeSelector": {POOL_LABEL: "system"},
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        "priorityClassName": "system-cluster-critical",
        "resources": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
    }


class AwsLoadBalancerController(pulumi.ComponentResource):
    """Public attributes: role_arn (Output[str]); release (helm.Release)."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        control_plane: EksCluster,
        node_pools: EksNodePools,
        vpc_id: pulumi.Input[str],
        tags: dict[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:LoadBalancerController", name, None, opts)
        self.role_arn, self.release = helm_addon.install(
            self, name, chart=CHART, cluster=cluster, control_plane=control_plane, node_pools=node_pools,
            policy=iam_policy(cluster.name), tags=tags,
            values=lambda arn: pulumi.Output.from_input(vpc_id).apply(lambda vpc: helm_values(cluster, vpc, arn)),
        )
        self.register_outputs({"roleArn": self.role_arn, "chartVersion": CHART.version})
