"""Mock answers for AWS resource types and invokes (offline plan only; never used by the program)."""

from __future__ import annotations

from typing import Any


def _azs(args: dict[str, Any]) -> dict[str, Any]:
    # The real invoke answers for the provider's region; the mock cannot see which, so the
    # program builds AZ names from the region it knows and only counts on how many there are.
    return {"names": ["a", "b", "c"], "zoneIds": ["az1", "az2", "az3"], "id": "mock"}


def _caller(args: dict[str, Any]) -> dict[str, Any]:
    return {"accountId": "123456789012", "arn": "arn:aws:iam::123456789012:user/meridian", "userId": "AIDA", "id": "123456789012"}


OUTPUTS: dict[str, Any] = {}
CALLS: dict[str, Any] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _azs,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller,
}
