"""Build the policy pack as `pulumi policy publish` needs it: self-contained.

`pulumi policy publish <dir>` uploads that directory only; when a policy group enforces the pack, the
CLI builds a virtualenv from the directory's requirements.txt in a temporary directory. So the pack
carries its own copy of the rules (meridian.rules with the region catalog, the tags convention and the
Cloudflare metadata convention - stdlib only) next to policies/, and requires nothing but
pulumi-policy. One copy of every rule still: the build copies the files, it does not fork them.

    uv run meridian policy-pack build [--out dist/policy-pack]
    pulumi policy publish dist/policy-pack"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACK_FILES = ("PulumiPolicy.yaml", "__main__.py", "__init__.py", "pack.py")
# What meridian.rules imports (checked by the build's own import test): stdlib only.
CORE = ("__init__.py", "tags.py", "cloudflare_meta.py", "classification_meta.py", "catalog", "rules")
REQUIREMENTS = "pulumi-policy>=1.13,<2\n"


class BuildError(RuntimeError):
    pass


def _commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def build_pack(out: Path, root: Path = ROOT) -> Path:
    """Write the publishable pack into `out` (replaced if it exists) and return it."""
    src = root / "policies"
    if not (src / "PulumiPolicy.yaml").exists():
        raise BuildError(f"{src} has no PulumiPolicy.yaml")
    if out.resolve() in (src.resolve(), root.resolve()):
        raise BuildError(f"--out {out} would overwrite the sources; choose another directory")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in PACK_FILES:
        if (src / name).exists():
            shutil.copy2(src / name, out / name)
    (out / "meridian").mkdir()
    for name in CORE:
        path = root / "meridian" / name
        if path.is_dir():
            shutil.copytree(path, out / "meridian" / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc",
                                                                                          "*.md"))
        else:
            shutil.copy2(path, out / "meridian" / name)
    (out / "requirements.txt").write_text(REQUIREMENTS)
    (out / "VENDORED").write_text(f"meridian rules vendored from commit {_commit()}\n")
    return out
