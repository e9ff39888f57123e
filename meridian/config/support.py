"""Kubernetes versions against the managed services' support calendars (meridian.catalog.support):
run by `meridian plan` before the program, so a stack asking for a version out of standard support
never reaches `pulumi up`."""

from __future__ import annotations

from datetime import date

from meridian.catalog.support import SERVICE_OF_CLOUD, WARN_DAYS, UnsupportedVersionError, window
from meridian.config.stack import StackConfig


def kubernetes_support(stack: StackConfig, today: date, source: str = "stack config") -> tuple[list[str], list[str]]:
    """(problems, warnings): a cluster past its version's end of standard support (or on a version the
    table does not list) is a problem naming the cluster, the version and the date; one within
    WARN_DAYS of it is a warning."""
    problems: list[str] = []
    warnings: list[str] = []
    for i, cluster in enumerate(stack.clusters):
        version = cluster.kubernetes_version or stack.kubernetes_version
        key = (f"meridian:platform.clusters[{i}].kubernetesVersion" if cluster.kubernetes_version
               else "meridian:platform.kubernetesVersion")
        service = SERVICE_OF_CLOUD[cluster.cloud]
        try:
            w = window(service, version)
        except UnsupportedVersionError as e:
            problems.append(f"{key}: cluster {cluster.name}: {e}")
            continue
        left = (w.end_of_standard_support - today).days
        if left < 0:
            problems.append(f"{key}: cluster {cluster.name} asks for Kubernetes {version}, whose standard support on "
                            f"{service.upper()} ended on {w.end_of_standard_support.isoformat()}: choose a supported version")
        elif left <= WARN_DAYS:
            warnings.append(f"cluster {cluster.name}: Kubernetes {version} leaves standard support on "
                            f"{service.upper()} on {w.end_of_standard_support.isoformat()} ({left} days): plan the upgrade")
    return problems, warnings
