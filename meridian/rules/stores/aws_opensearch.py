"""OpenSearch Service (and legacy Elasticsearch Service) domains.

Encryption: `encryptAtRest.enabled` with `encryptAtRest.kmsKeyId`. TLS: `domainEndpointOptions.
enforceHttps` and node-to-node encryption. Public access: a domain without `vpcOptions` has a public
endpoint. Logs: `logPublishingOptions[].cloudwatchLogGroupArn` (placed by ARN or the group in the
stack); automated snapshots stay in the domain's region."""

from __future__ import annotations

from meridian.rules.facts import Target, aws_key_use, aws_log_group_target, aws_region, dig, flag
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.kind import NotApplicable, StoreKind

DOMAIN = "aws:opensearch/domain:Domain"
LEGACY = "aws:elasticsearch/domain:Domain"


def logs(res: Resource, view: StackView) -> list[Target]:
    return [aws_log_group_target(dig(o, "cloudwatchLogGroupArn"), res, "logPublishingOptions", view,
                                 f"logPublishingOptions {dig(o, 'logType')}")
            for o in res.props.get("logPublishingOptions") or [] if isinstance(o, dict)]


def tls(res: Resource, view: StackView) -> list[str]:
    out = []
    if flag(res, "domainEndpointOptions.enforceHttps") is not True:
        out.append("domainEndpointOptions.enforceHttps is not true")
    if flag(res, "nodeToNodeEncryption.enabled") is not True:
        out.append("nodeToNodeEncryption.enabled is not true")
    return out


def public(res: Resource, view: StackView) -> list[str]:
    subnets = dig(res.props, "vpcOptions.subnetIds")
    return [] if subnets else ["no vpcOptions: the domain has a public endpoint"]


KINDS = (StoreKind(
    id="aws-opensearch-domain", title="OpenSearch domain", cloud="aws", types=(DOMAIN, LEGACY), locate=aws_region,
    replicas=NotApplicable("cross-cluster replication is configured inside OpenSearch, not by the provider"),
    key=aws_key_use("encryptAtRest.kmsKeyId", flag_path="encryptAtRest.enabled"), logs_backups=logs,
    public_access=public, tls_only=tls, versioning=NotApplicable("OpenSearch has snapshots, not versions"),
    name_keys=("domainName",), doc=__doc__ or "",
),)
