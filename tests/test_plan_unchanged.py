"""The dev and prod plans, resource for resource, against the fingerprints recorded before the last
refactor (tests/plan_fingerprint.py): a refactor that changes anything deployed fails here, naming
the resources it adds, removes or changes."""

from __future__ import annotations

import pytest

from tests.plan_fingerprint import fingerprints, recorded


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_plan_matches_the_recorded_one(stack: str, request: pytest.FixtureRequest) -> None:
    plan = request.getfixturevalue(f"{stack}_plan")
    now, before = fingerprints(plan.document), recorded(stack)
    added = sorted(set(now) - set(before))
    removed = sorted(set(before) - set(now))
    changed = sorted(u for u in set(now) & set(before) if now[u] != before[u])
    assert not (added or removed or changed), (
        f"{stack}: the plan differs from the recorded one (if that is intended, record again: "
        f"`uv run python -m tests.plan_fingerprint record {stack}`)\n"
        f"added {added[:10]}\nremoved {removed[:10]}\nchanged {changed[:10]}"
    )
