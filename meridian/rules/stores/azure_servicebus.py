"""Service Bus namespaces: a `DisasterRecoveryConfig` pairs the namespace with `partnerNamespace`,
placed by the partner (fail closed when it is not in the stack). CMEK: `encryption.keyVaultProperties`."""

from __future__ import annotations

from meridian.rules.facts import (
    azure_diagnostic_targets,
    azure_key_use,
)
from meridian.rules.stores.azure_common import NOVER, kind, ns_replicas, public_network, tls12

SERVICEBUS_NS = "azure-native:servicebus:Namespace"

SERVICEBUS_DR = "azure-native:servicebus:DisasterRecoveryConfig"

NAMESPACE_KIND = kind(
    "azure-servicebus-namespace",
    "Service Bus namespace",
    (SERVICEBUS_NS,),
    replicas=ns_replicas(SERVICEBUS_DR, (SERVICEBUS_NS,)),
    key=azure_key_use("encryption.keyVaultProperties.keyVaultUri"),
    logs_backups=azure_diagnostic_targets,
    public_access=public_network(),
    tls_only=tls12("minimumTlsVersion"),
    versioning=NOVER,
    doc=__doc__ or "",
)

KINDS = (NAMESPACE_KIND,)
