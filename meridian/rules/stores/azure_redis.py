"""Azure Cache for Redis (and its geo-replication `LinkedServer`s, which copy the cache to
`linkedRedisCacheLocation`), and Redis Enterprise / Azure Managed Redis. TLS: `minimumTlsVersion` 1.2 and
the non-TLS port off."""

from __future__ import annotations

from meridian.rules.facts import (
    Target,
    arm_name,
    azure_diagnostic_targets,
    azure_key_use,
    place,
)
from meridian.rules.stack import Resource, StackView
from meridian.rules.stores.azure_common import NOVER, kind, public_network, tls12
from meridian.rules.stores.kind import NotApplicable

REDIS = ("azure-native:cache:Redis", "azure-native:redis:Redis")

REDIS_LINK = ("azure-native:cache:LinkedServer", "azure-native:redis:LinkedServer")

REDIS_ENTERPRISE = ("azure-native:cache:RedisEnterprise", "azure-native:redisenterprise:RedisEnterprise")


def redis_replicas(res: Resource, view: StackView) -> list[Target]:
    out: list[Target] = []
    for t in REDIS_LINK:
        for link in view.of_type(t):
            owner = view.referenced(link, "name", link.props.get("name"), *REDIS)
            if owner is not res:
                continue
            loc = link.props.get("linkedRedisCacheLocation")
            out.append(
                Target(
                    "replica",
                    str(arm_name(link.props.get("linkedRedisCacheId")) or loc),
                    place("azure", loc, f"linkedRedisCacheLocation of {link.name}"),
                    link.urn,
                )
            )
    return out


def redis_tls(res: Resource, view: StackView) -> list[str]:
    out = tls12("minimumTlsVersion")(res, view)
    if res.props.get("enableNonSslPort") is True:
        out.append("enableNonSslPort is true")
    return out


REDIS_KIND = kind(
    "azure-redis-cache",
    "Azure Cache for Redis",
    REDIS,
    replicas=redis_replicas,
    key=NotApplicable("Azure Cache for Redis encrypts at rest with platform keys only"),
    logs_backups=azure_diagnostic_targets,
    public_access=public_network(),
    tls_only=redis_tls,
    versioning=NOVER,
    doc=__doc__ or "",
)

ENTERPRISE_KIND = kind(
    "azure-redis-enterprise",
    "Azure Cache for Redis Enterprise / Azure Managed Redis",
    REDIS_ENTERPRISE,
    replicas=NotApplicable("active geo-replication is configured on its databases"),
    key=azure_key_use("encryption.customerManagedKeyEncryption.keyEncryptionKeyUrl"),
    logs_backups=azure_diagnostic_targets,
    public_access=NotApplicable("reached through private endpoints"),
    tls_only=tls12("minimumTlsVersion"),
    versioning=NOVER,
    doc=__doc__ or "",
)

KINDS = (REDIS_KIND, ENTERPRISE_KIND)
