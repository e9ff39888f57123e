"""Explicit providers, one per cloud region. Default providers are disabled in the stack config
(`pulumi:disable-default-providers`), so a forgotten provider is an error, not a resource in the
wrong region."""

from __future__ import annotations

import pulumi

from meridian.config import StackConfig


class Providers:
    """Creates each regional provider once and hands the same instance to every component."""

    def __init__(self, stack: StackConfig) -> None:
        self._stack = stack
        self._cache: dict[tuple[str, str], pulumi.ProviderResource] = {}

    def aws(self, region: str) -> pulumi.ProviderResource:
        key = ("aws", region)
        if key not in self._cache:
            import pulumi_aws as aws

            self._cache[key] = aws.Provider(
                f"aws-{region}",
                region=region,
                default_tags=aws.ProviderDefaultTagsArgs(
                    tags={"managed-by": "meridian", "environment": self._stack.environment}
                ),
            )
        return self._cache[key]

    def gcp(self, region: str) -> pulumi.ProviderResource:
        key = ("gcp", region)
        if key not in self._cache:
            import pulumi_gcp as gcp

            self._cache[key] = gcp.Provider(
                f"gcp-{region}",
                project=self._stack.gcp_project,
                region=region,
                default_labels={"managed-by": "meridian", "environment": self._stack.environment},
            )
        return self._cache[key]

    def azure(self, region: str) -> pulumi.ProviderResource:
        key = ("azure", region)
        if key not in self._cache:
            import pulumi_azure_native as azure_native

            self._cache[key] = azure_native.Provider(f"azure-{region}", location=region)
        return self._cache[key]

    def for_cloud(self, cloud: str, region: str) -> pulumi.ProviderResource:
        return {"aws": self.aws, "gcp": self.gcp, "azure": self.azure}[cloud](region)
