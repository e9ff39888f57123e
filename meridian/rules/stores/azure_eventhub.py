"""Event Hubs namespaces: a `DisasterRecoveryConfig` pairs the namespace with `partnerNamespace`,
placed by the partner (fail closed when it is not in the stack). CMEK: `encryption.keyVaultProperties`."""

from __future__ import annotations

from meridian.rules.stores.azure_common import namespace_kind

EVENTHUB_NS = "azure-native:eventhub:Namespace"
EVENTHUB_DR = "azure-native:eventhub:DisasterRecoveryConfig"

NAMESPACE_KIND = namespace_kind("azure-eventhub-namespace", "Event Hubs namespace", EVENTHUB_NS, EVENTHUB_DR, __doc__ or "")
KINDS = (NAMESPACE_KIND,)
