"""Vault: the HA secrets platform of the stack (one ComponentResource per concept, one module each).

- VaultUnsealKey (unseal.py): cloud KMS key for auto-unseal in the Vault cluster's region and
  jurisdiction (AWS KMS / GCP Cloud KMS / Azure Key Vault HSM key), protected in prod, tagged, and the
  workload identity (IRSA / GKE Workload Identity / Azure federated identity) of vault/vault.
- VaultTls (tls.py): TLS with pulumi-tls (a private CA + server certificate, in a kubernetes.io/tls
  secret). Chosen over cert-manager because it needs nothing installed on the cluster first.
- VaultServer (server.py): hashicorp/vault Helm chart: HA raft (3 or 5 replicas), TLS listener,
  KMS seal, audit volume, anti-affinity per node + zone spread, PodDisruptionBudget, agent injector.
- VaultConfig (config.py): pulumi_vault through an explicit provider (address from the installed
  server, token from the config secret `meridian:vaultToken`): file audit device, KV v2 `kv/`, PKI
  `pki/` -> `pki_int/` (role `service`), database engine, AWS/GCP/Azure engines, Kubernetes auth
  `kubernetes-<cluster>` per cluster, router policy `router-<cluster>` (read kv/data/router/<cluster>/*)
  and role `router` in each.
- VaultAgentInjector (injector.py): the agent injector on every other cluster.
- VaultPlatform (platform.py) assembles them; wiring.py builds its inputs from the regional stacks.

Bootstrap: the first `pulumi up` installs Vault; `vault operator init` (recovery keys; the KMS key
unseals) yields the root token; `pulumi config set --secret meridian:vaultToken ...`; the next
`pulumi up` configures Vault."""

from infra.vault.inputs import KubernetesAuthTarget, VaultHost
from infra.vault.platform import VaultPlatform

__all__ = ["KubernetesAuthTarget", "VaultHost", "VaultPlatform"]
