"""Stores accept only TLS (1.2+) connections."""

from __future__ import annotations

import json
from collections.abc import Iterator

from meridian.rules.facts import AZ_ACCOUNT, S3_BUCKETS, S3_POLICY, classify
from meridian.rules.model import Finding, Rule, RuleSettings
from meridian.rules.stack import Resource, StackView


def _denies_insecure(policy: object) -> bool:
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return False
    if not isinstance(policy, dict):
        return False
    stmts = policy.get("Statement") or []
    for s in stmts if isinstance(stmts, list) else [stmts]:
        if not isinstance(s, dict) or s.get("Effect") != "Deny":
            continue
        cond = s.get("Condition") or {}
        for op in cond.values() if isinstance(cond, dict) else []:
            if isinstance(op, dict) and str(op.get("aws:SecureTransport", "")).lower() == "false":
                return True
    return False


def problems(res: Resource, view: StackView) -> list[str]:
    if res.type in S3_BUCKETS:
        policies = [res.props.get("policy")] + [p.props.get("policy") for p in view.attached(res, S3_POLICY, "bucket")]
        if not any(_denies_insecure(p) for p in policies):
            return ["no bucket policy denies requests with aws:SecureTransport=false"]
    elif res.type == AZ_ACCOUNT:
        out = []
        if res.props.get("enableHttpsTrafficOnly") is False:
            out.append("enableHttpsTrafficOnly is false")
        if res.props.get("minimumTlsVersion") not in ("TLS1_2", "TLS1_3"):
            out.append(f"minimumTlsVersion is {res.props.get('minimumTlsVersion')!r}, not TLS1_2")
        return out
    return []


def check(res: Resource, view: StackView, settings: RuleSettings) -> Iterator[Finding]:
    found = problems(res, view)
    if found:
        c = classify(res)
        yield Finding("accepts insecure transport: " + "; ".join(found), c.jurisdiction, c.data_class)


RULE = Rule(
    id="security-tls-only",
    name="TLS-only access",
    severity="high",
    frameworks=("GDPR Art. 32(1)(a)", "CIS AWS 2.1.2", "CIS Azure 3.1", "CIS Azure 3.15"),
    description="S3 buckets have a bucket policy denying aws:SecureTransport=false; Azure accounts keep "
    "enableHttpsTrafficOnly and set minimumTlsVersion TLS1_2. GCS serves TLS only.",
    remediation="Attach the deny-insecure-transport bucket policy; minimum_tls_version='TLS1_2'.",
    types=frozenset({*S3_BUCKETS, AZ_ACCOUNT}),
    check=check,
    tags=("security",),
)
