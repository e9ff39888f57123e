"""Azure Monitor workspaces (managed Prometheus): metric series (whose labels carry tenant ids and
backend names) in the workspace's region; ingestion and query need Entra ID credentials."""

from __future__ import annotations

from meridian.rules.stores.azure_common import NOVER, kind
from meridian.rules.stores.kind import NotApplicable

WORKSPACE = "azure-native:monitor:AzureMonitorWorkspace"

KIND = kind(
    "azure-monitor-workspace",
    "Azure Monitor workspace",
    (WORKSPACE,),
    replicas=NotApplicable("a workspace keeps its series in its own region"),
    key=NotApplicable("Azure Monitor workspaces are encrypted with Microsoft-managed keys (no customer key setting "
                      "in the installed SDK)"),
    logs_backups=NotApplicable("a workspace is itself a metrics store"),
    public_access=NotApplicable("ingestion and query need Entra ID credentials"),
    tls_only=NotApplicable("Azure Monitor endpoints are TLS 1.2+ only"),
    versioning=NOVER,
    name_keys=("azureMonitorWorkspaceName",),
    doc=__doc__ or "",
)
KINDS = (KIND,)
