"""Amazon Managed Service for Prometheus workspaces: metric series (whose labels carry tenant ids and
backend names) in the workspace's region. Encrypted at rest always, with a customer key when
`kmsKeyArn` is set. Reached only with SigV4-signed requests."""

from __future__ import annotations

from meridian.rules.facts import aws_key_use, aws_region
from meridian.rules.stores.kind import NotApplicable, StoreKind

WORKSPACE = "aws:amp/workspace:Workspace"

KIND = StoreKind(
    id="aws-amp-workspace", title="Managed Prometheus workspace", cloud="aws", types=(WORKSPACE,),
    locate=aws_region,
    replicas=NotApplicable("a workspace keeps its series in its own region"),
    key=aws_key_use("kmsKeyArn", always=True),
    logs_backups=NotApplicable("a workspace has no backups; its query and ingestion logs are CloudWatch log "
                               "groups, classified on their own"),
    public_access=NotApplicable("ingestion and query need SigV4-signed requests (IAM)"),
    tls_only=NotApplicable("the service's endpoints are HTTPS only"),
    versioning=NotApplicable("series are appended, not versioned"),
    name_keys=("alias",),
    doc=__doc__ or "",
)
KINDS = (KIND,)
