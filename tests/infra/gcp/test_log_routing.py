"""GKE logs stay in the cluster's jurisdiction: a regional log bucket, a sink for exactly this cluster,
and the same logs excluded from `_Default` (location global)."""

from __future__ import annotations

from meridian import catalog
from meridian.rules.facts import classify
from meridian.rules.stack import StackView


def test_every_gke_clusters_logs_land_in_its_jurisdiction_not_in_default(prod_plan):
    view = StackView.from_document(prod_plan.document)
    gke = [c for c in prod_plan.config.clusters if c.cloud == "gcp"]
    buckets = {r["inputs"]["bucketId"]: r for r in prod_plan.of_type("gcp:logging/projectBucketConfig:ProjectBucketConfig")}
    sinks = {r["inputs"]["name"]: r["inputs"] for r in prod_plan.of_type("gcp:logging/projectSink:ProjectSink")}
    exclusions = {r["inputs"]["name"]: r["inputs"] for r in prod_plan.of_type("gcp:logging/projectExclusion:ProjectExclusion")}
    assert gke
    for c in gke:
        bucket = buckets[f"gke-{c.name}"]
        assert catalog.region("gcp", bucket["inputs"]["location"]).within(c.jurisdiction)
        res = view.by_urn[bucket["urn"]]
        cls = classify(res, view)
        assert (cls.data_class, cls.jurisdiction) == ("internal", c.jurisdiction)
        sink = sinks[f"gke-{c.name}-regional"]
        assert sink["destination"].endswith(f"/locations/{c.region}/buckets/gke-{c.name}")
        assert f'resource.labels.cluster_name="{c.name}"' in sink["filter"]
        assert exclusions[f"gke-{c.name}-not-default"]["filter"] == sink["filter"]  # the same logs leave _Default


def test_every_aks_cluster_sends_control_plane_logs_to_an_in_jurisdiction_workspace(prod_plan):
    view = StackView.from_document(prod_plan.document)
    workspaces = {r["urn"]: r for r in prod_plan.of_type("azure-native:operationalinsights:Workspace")}
    settings = [r for r in prod_plan.of_type("azure-native:monitor:DiagnosticSetting") if "control-plane" in r["urn"]]
    aks = [c for c in prod_plan.config.clusters if c.cloud == "azure"]
    assert aks and len(settings) == len(aks)
    for c in aks:
        ws = next(w for w in workspaces.values() if w["urn"].endswith(f"::{c.name}-logs"))
        assert catalog.region("azure", ws["inputs"]["location"]).within(c.jurisdiction)
        cls = classify(view.by_urn[ws["urn"]], view)
        assert (cls.data_class, cls.jurisdiction) == ("internal", c.jurisdiction)


def test_the_plan_says_where_vault_keeps_other_jurisdictions_secrets(prod_plan):
    vault = next(c for c in prod_plan.config.clusters if c.name == prod_plan.config.vault.cluster)  # type: ignore[union-attr]
    others = [c for c in prod_plan.config.clusters if c.jurisdiction != vault.jurisdiction]
    warned = [w for w in prod_plan.warnings if w.startswith(f"Vault on {vault.name}")]
    assert others and len(warned) == len(others)
    assert all(f"cluster {c.name} (jurisdiction {c.jurisdiction})" in " ".join(warned) for c in others)
