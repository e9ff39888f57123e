"""The platform's own data in Kubernetes is inventoried and held to its jurisdiction: Vault's raft and
audit volumes (the StorageClass they are provisioned from) and the in-cluster router Redis."""

from __future__ import annotations

import copy
from typing import Any

import orjson

from meridian.audit.report import build_report
from meridian.policy_runner import evaluate

STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def _resources(doc: dict[str, Any], typ: str) -> list[dict[str, Any]]:
    return [r for r in doc["deployment"]["resources"] if r["type"] == typ]


def _vault_class(doc: dict[str, Any]) -> dict[str, Any]:
    (sc,) = [r for r in _resources(doc, STORAGE_CLASS) if r["inputs"]["metadata"]["name"] == "meridian-vault"]
    return sc


def _location_findings(doc: dict[str, Any]) -> list[str]:
    return [v.message for v in evaluate(doc) if v.rule == "residency-location"]


def test_prod_audit_lists_vault_volumes_where_they_live(prod_plan):
    report = build_report(prod_plan.document)
    assert report.violations == []
    (entry,) = [s for s in report.stores if s["name"] == "meridian-vault"]
    # prod's Vault runs on aws-use1 (us-east-1, jurisdiction us)
    assert (entry["region"], entry["jurisdiction"], entry["data_class"]) == ("us-east-1", "us", "restricted")
    sc = _vault_class(prod_plan.document)
    assert sc["inputs"]["provisioner"] == "ebs.csi.aws.com"
    params = sc["inputs"]["parameters"]
    assert params["encrypted"] == "true"
    assert {"jurisdiction=us", "data-class=restricted"} <= set(params.values())  # the EBS volumes' own tags
    assert sc["inputs"]["reclaimPolicy"] == "Retain"  # prod: raft data outlives a deleted claim


def test_vault_claims_use_the_classified_class(prod_plan):
    (release,) = [r for r in prod_plan.document["deployment"]["resources"]
                  if r["type"] == "kubernetes:helm.sh/v3:Release" and r["urn"].endswith("::vault-server-release")]
    server = release["inputs"]["values"]["server"]
    for volume in ("dataStorage", "auditStorage"):
        assert server[volume]["storageClass"] == "meridian-vault"
        assert server[volume]["labels"]["jurisdiction"] == "us"
        assert server[volume]["labels"]["data-class"] == "restricted"


def test_dev_audit_lists_each_in_cluster_redis_in_its_clusters_jurisdiction(dev_plan):
    report = build_report(dev_plan.document)
    redis = [s for s in report.stores if s["name"] == "meridian-router/router-redis"]
    deployments = [r for r in _resources(dev_plan.document, DEPLOYMENT)
                   if r["inputs"]["metadata"]["name"] == "router-redis"]
    assert len(redis) == len(deployments) >= 2
    for d in deployments:
        labels = d["inputs"]["metadata"]["labels"]
        (entry,) = [s for s in redis if s["urn"] == d["urn"]]
        assert entry["region"] == labels["topology.kubernetes.io/region"]
        assert entry["jurisdiction"] == labels["jurisdiction"] and entry["data_class"] == "internal"
        (volume,) = d["inputs"]["spec"]["template"]["spec"]["volumes"]
        assert volume["emptyDir"]["medium"] == "Memory"  # its state never touches a disk
    assert {s["jurisdiction"] for s in redis} >= {"us", "eu"}


def _relabelled(doc: dict[str, Any], key: str, value: str | None) -> dict[str, Any]:
    """A copy of `doc` whose Vault StorageClass has label `key` set to `value` (None: removed)."""
    doc = copy.deepcopy(doc)
    sc = _vault_class(doc)
    for side in ("inputs", "outputs"):
        labels = sc[side]["metadata"]["labels"]
        if value is None:
            del labels[key]
        else:
            labels[key] = value
    return doc


def test_a_kubernetes_store_labelled_outside_its_cluster_is_caught(prod_plan):
    doc = _relabelled(prod_plan.document, "jurisdiction", "eu")  # the cluster is us-east-1
    found = _location_findings(doc)
    assert any("us-east-1" in m and "outside jurisdiction 'eu'" in m for m in found), found


def test_a_region_label_that_contradicts_the_cluster_is_caught(prod_plan):
    doc = _relabelled(prod_plan.document, "topology.kubernetes.io/region", "eu-west-1")  # the cluster: us-east-1
    found = _location_findings(doc)
    assert any("eu-west-1" in m and "outside jurisdiction 'us'" in m for m in found), found


def _without_provider_dependencies(doc: dict[str, Any]) -> dict[str, Any]:
    """What a policy run sees: no provider dependencies (the kubeconfig is a secret)."""
    doc = orjson.loads(orjson.dumps(doc))
    for r in doc["deployment"]["resources"]:
        if r["type"] == "pulumi:providers:kubernetes":
            r["dependencies"] = []
            r["propertyDependencies"] = {}
    return doc


def test_without_the_cluster_in_view_the_labels_place_it(prod_plan):
    doc = _without_provider_dependencies(prod_plan.document)
    assert _location_findings(doc) == []
    doc = _relabelled(_relabelled(doc, "topology.kubernetes.io/region", None), "meridian.io/cloud", None)
    found = _location_findings(doc)
    assert any("cluster of" in m and "cannot be determined" in m for m in found), found  # fail closed
