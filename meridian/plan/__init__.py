"""The offline plan: the real infra program run under the Pulumi SDK's mock runtime, captured
as a `pulumi stack export`-shaped document."""
