"""Entry point `pulumi preview --policy-pack policies` runs. The rules come from meridian.rules."""

import sys
from pathlib import Path

try:
    import meridian  # noqa: F401
except ImportError:  # run from a plain virtualenv next to the repository
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, Policy, PolicyPack

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pack import PACK_NAME, build_policies

if __name__ == "__main__":
    policies: list[Policy] = [*build_policies()]
    PolicyPack(name=PACK_NAME, enforcement_level=EnforcementLevel.MANDATORY, policies=policies)
