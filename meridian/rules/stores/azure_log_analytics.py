"""Log Analytics workspaces: a log store in its region (ingestion and query need Entra ID credentials)."""

from __future__ import annotations

from meridian.rules.stores.azure_common import NOVER, kind
from meridian.rules.stores.kind import NotApplicable

WORKSPACE = "azure-native:operationalinsights:Workspace"

WORKSPACE_KIND = kind(
    "azure-log-analytics-workspace",
    "Log Analytics workspace",
    (WORKSPACE,),
    replicas=NotApplicable(
        "a workspace keeps its data in its region (the installed SDK has no workspace replication setting)"
    ),
    key=NotApplicable("a customer key is set on a dedicated cluster, not the workspace"),
    logs_backups=NotApplicable("a workspace is itself a log store"),
    public_access=NotApplicable("ingestion and query need Entra ID credentials"),
    tls_only=NotApplicable("Azure Monitor endpoints are TLS 1.2+ only"),
    versioning=NOVER,
    doc=__doc__ or "",
)

KINDS = (WORKSPACE_KIND,)
