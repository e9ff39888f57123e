"""Service Bus namespaces: a `DisasterRecoveryConfig` pairs the namespace with `partnerNamespace`,
placed by the partner (fail closed when it is not in the stack). CMEK: `encryption.keyVaultProperties`."""

from __future__ import annotations

from meridian.rules.stores.azure_common import namespace_kind

SERVICEBUS_NS = "azure-native:servicebus:Namespace"
SERVICEBUS_DR = "azure-native:servicebus:DisasterRecoveryConfig"

NAMESPACE_KIND = namespace_kind("azure-servicebus-namespace", "Service Bus namespace", SERVICEBUS_NS, SERVICEBUS_DR, __doc__ or "")
KINDS = (NAMESPACE_KIND,)
