"""VpcFlowLogs: every accepted and rejected flow of a cluster's VPC, for security investigations,
kept in CloudWatch Logs in the VPC's own region - flow records carry IP addresses, so they stay in
the jurisdiction like the data they describe."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.ec2 as ec2
import pulumi_aws.iam as iam
from pulumi import ResourceOptions

from infra.aws.identity import service_trust_policy
from infra.regional import data_store_options, operational_log_days, operational_log_tags
from meridian.config import Cluster, StackConfig

AGGREGATION_SECONDS = 600  # the cheaper of the two intervals AWS offers (60 or 600)


class VpcFlowLogs(pulumi.ComponentResource):
    """Public attributes: log_group_name (Output[str]); flow_log_id (Output[str])."""

    def __init__(
        self,
        name: str,
        *,
        cluster: Cluster,
        stack: StackConfig,
        vpc_id: pulumi.Input[str],
        tags: dict[str, str],
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:aws:VpcFlowLogs", name, None, opts)
        child = ResourceOptions(parent=self)
        group = cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=f"/meridian/vpc-flow-logs/{cluster.name}",
            retention_in_days=operational_log_days(stack),
            tags=operational_log_tags(tags),
            opts=data_store_options(stack, child),
        )
        role = iam.Role(
            f"{name}-flow-logs",
            assume_role_policy=service_trust_policy("vpc-flow-logs.amazonaws.com"),
            description=f"VPC flow logs of {cluster.name} into their log group",
            tags=tags,
            opts=child,
        )
        iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.id,
            policy=group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogGroups",
                                    "logs:DescribeLogStreams",
                                ],
                                "Resource": [arn, f"{arn}:*"],
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        flow = ec2.FlowLog(
            f"{name}-flow-logs",
            vpc_id=vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=AGGREGATION_SECONDS,
            tags=tags,
            opts=child,
        )
        self.log_group_name: pulumi.Output[str] = group.name
        self.flow_log_id: pulumi.Output[str] = flow.id
        self.register_outputs({"logGroup": self.log_group_name, "flowLogId": self.flow_log_id})
