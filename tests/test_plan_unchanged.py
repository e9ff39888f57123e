"""The dev and prod plans, resource for resource, against the fingerprints recorded before the last
refactor (tests/plan_fingerprint.py): a refactor that changes anything deployed fails here, naming
the resources it adds, removes or changes.

Issue 17 names two changes, and only these are allowed:
- component types renamed to one scheme on every cloud (EksCluster, GkeCluster, AksCluster ->
  Cluster; EksNodePools, AksNodePools -> NodePools) with an alias to the old type: a resource is
  matched by its URN or, as the engine does, by an alias to a recorded URN, so the components and
  everything under them move in state and nothing is replaced;
- the uniform stack output keys (infra/outputs.py) added beside the old ones: they are taken out of
  the regions', lakes' and stack's outputs before comparing, and the old keys must be unchanged;
- the router ConfigMaps rendered from the router's typed config: the same configuration with the
  keys in the model's order, so they are compared by parsed content (tests/plan_fingerprint.py;
  the Deployments' config checksum, taken over the content, is unchanged: no pod restarts)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plan_fingerprint import as_before, fingerprints, recorded

# The uniform output keys each cloud did not have before (infra/outputs.py).
ADDED_OUTPUTS = {
    "Region": {"aws": {"secretsKeyId", "networkId", "networkCidr", "nodePools"},
               "gcp": {"networkId", "networkCidr"},
               "azure": {"secretsKeyId", "networkId", "networkCidr"}},
    "DataLake": {"aws": {"store", "keyId", "logStore", "replicaRegions"},
                 "gcp": {"store", "keyId", "logStore", "replicaRegions"},
                 "azure": {"store", "logStore"}},
}


def _strip(outputs: dict[str, Any], kind: str) -> dict[str, Any]:
    added = ADDED_OUTPUTS[kind][outputs["cloud"]]
    return {k: v for k, v in outputs.items() if k not in added}


def without_added_outputs(document: dict[str, Any]) -> dict[str, Any]:
    resources = []
    for r in document["deployment"]["resources"]:
        kind = r["type"].rpartition(":")[2]
        outputs = r.get("outputs") or {}
        if r["type"].startswith("meridian:") and kind in ADDED_OUTPUTS and "cloud" in outputs:
            r = {**r, "outputs": _strip(outputs, kind)}
        elif r["type"] == "pulumi:pulumi:Stack":
            out = dict(outputs)
            out["clusters"] = {n: _strip(o, "Region") for n, o in (outputs.get("clusters") or {}).items()}
            out["dataLakes"] = {n: _strip(o, "DataLake") for n, o in (outputs.get("dataLakes") or {}).items()}
            r = {**r, "outputs": out}
        resources.append(r)
    return {**document, "deployment": {**document["deployment"], "resources": resources}}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_plan_matches_the_recorded_one(stack: str, request: pytest.FixtureRequest) -> None:
    plan = request.getfixturevalue(f"{stack}_plan")
    before = recorded(stack)
    now = fingerprints(without_added_outputs(as_before(plan.document, plan.aliases, set(before))))
    added = sorted(set(now) - set(before))
    removed = sorted(set(before) - set(now))
    changed = sorted(u for u in set(now) & set(before) if now[u] != before[u])
    assert not (added or removed or changed), (
        f"{stack}: the plan differs from the recorded one (if that is intended, record again: "
        f"`uv run python -m tests.plan_fingerprint record {stack}`)\n"
        f"added {added[:10]}\nremoved {removed[:10]}\nchanged {changed[:10]}"
    )


RENAMED = {
    "meridian:aws:EksCluster": "meridian:aws:Cluster",
    "meridian:aws:EksNodePools": "meridian:aws:NodePools",
    "meridian:gcp:GkeCluster": "meridian:gcp:Cluster",
    "meridian:azure:AksCluster": "meridian:azure:Cluster",
    "meridian:azure:AksNodePools": "meridian:azure:NodePools",
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_renamed_components_carry_an_alias_to_their_old_type(stack: str, request: pytest.FixtureRequest) -> None:
    """Each renamed component of the recorded plan now has the new type, and its own alias names its
    old URN (the engine then also knows everything below it by its old URN)."""
    plan = request.getfixturevalue(f"{stack}_plan")
    urns = {r["urn"] for r in plan.resources}
    before = [u for u in recorded(stack) if u.rpartition("::")[0].rpartition("$")[2].rpartition("::")[2] in RENAMED]
    assert before, "the recorded plan has none of the renamed components"
    for old in before:
        old_type = old.rpartition("::")[0].rpartition("$")[2].rpartition("::")[2]
        new = old.replace(f"{old_type}::", f"{RENAMED[old_type]}::")
        assert new in urns and old in plan.aliases.get(new, []), old


OLD_TWIN = {
    "Region": {"aws": {"secretsKeyId": "secretsKeyArn", "networkId": "vpcId", "networkCidr": "vpcCidr",
                       "nodePools": "nodeGroups"},
               "gcp": {},
               "azure": {"secretsKeyId": "kmsKeyId", "networkId": "vnetId", "networkCidr": "vnetCidr"}},
    "DataLake": {"aws": {"store": "bucket", "keyId": "kmsKeyArn", "logStore": "logBucket"},
                 "gcp": {"store": "bucket", "keyId": "kmsKeyId", "logStore": "logBucket"},
                 "azure": {"store": "storageAccount", "logStore": "logStorageAccount"}},
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_cloud_gives_the_uniform_output_keys_beside_the_old_ones(stack: str, request: pytest.FixtureRequest) -> None:
    plan = request.getfixturevalue(f"{stack}_plan")
    (root,) = plan.of_type("pulumi:pulumi:Stack")
    common = {"Region": ("cloud region jurisdiction clusterName endpoint kubeconfig kubernetesVersion oidcIssuerUrl "
                         "secretsKeyId networkId networkCidr nodePools").split(),
              "DataLake": "cloud region jurisdiction dataClass store zones keyId logStore retentionYears "
                          "replicaRegions".split()}
    clouds: set[str] = set()
    for kind, section in (("Region", "clusters"), ("DataLake", "dataLakes")):
        for name, out in root["outputs"][section].items():
            clouds.add(out["cloud"])
            assert not set(common[kind]) - set(out), (name, set(common[kind]) - set(out))
            for new, old in OLD_TWIN[kind][out["cloud"]].items():
                assert out[new] == out[old], (name, new, old)
    assert clouds == {"aws", "gcp", "azure"}
