"""The dev and prod plans, resource for resource, against the fingerprints recorded before the last
refactor (tests/plan_fingerprint.py): a refactor that changes anything deployed fails here, naming
the resources it adds, removes or changes.

A resource is matched by its URN or, as the engine does, by an alias to a recorded URN: the one
named change of issue 17 renames component types to one scheme on every cloud (EksCluster,
GkeCluster, AksCluster -> Cluster; EksNodePools, AksNodePools -> NodePools) with an alias to the
old type, so the components and everything under them move in state and nothing is replaced."""

from __future__ import annotations

import pytest

from tests.plan_fingerprint import as_before, fingerprints, recorded


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_plan_matches_the_recorded_one(stack: str, request: pytest.FixtureRequest) -> None:
    plan = request.getfixturevalue(f"{stack}_plan")
    before = recorded(stack)
    now = fingerprints(as_before(plan.document, plan.aliases, set(before)))
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
