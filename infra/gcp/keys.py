"""Customer-managed Cloud KMS keys. A key ring and its key live in the region of the data they
protect: the component takes `location` explicitly and its provider from the parent (or an explicit
provider for a replica's region), so both always agree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_gcp.kms as kms
from pulumi import ResourceOptions

from infra.regional import data_store_options
from meridian.config import StackConfig
from meridian.tags import gcp_labels

ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
ROTATION_PERIOD = "7776000s"  # 90 days


class KmsKey(pulumi.ComponentResource):
    """A key ring in `location` and one symmetric ENCRYPT_DECRYPT key in it, rotated every 90 days,
    usable by the given service agents (members such as `serviceAccount:service-1@...`).

    Public attributes: key_ring (kms.KeyRing), crypto_key (kms.CryptoKey), key_id (Output[str]:
    projects/<p>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>, what GCS/GKE take as a key
    name), location (str), grants (list[kms.CryptoKeyIAMMember]: depend on these before using the key).
    In prod the ring, key and grants are protected and retained on delete: losing a key loses the data.
    Cloud KMS never deletes key rings; keys are only scheduled for destruction (30 days here)."""

    def __init__(
        self,
        name: str,
        *,
        location: str,
        tags: Mapping[str, str],
        stack: StackConfig,
        users: Sequence[pulumi.Input[str]] = (),
        opts: ResourceOptions | None = None,
    ) -> None:
        super().__init__("meridian:gcp:KmsKey", name, None, opts)
        keep = data_store_options(stack, ResourceOptions(parent=self))
        self.location = location
        # Key rings cannot be deleted: auto-naming (a random suffix) lets a destroyed dev stack come back.
        self.key_ring = kms.KeyRing(f"{name}-ring", location=location, opts=keep)
        self.crypto_key = kms.CryptoKey(
            f"{name}-key",
            key_ring=self.key_ring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period=ROTATION_PERIOD,
            destroy_scheduled_duration="2592000s",
            version_template=kms.CryptoKeyVersionTemplateArgs(
                algorithm="GOOGLE_SYMMETRIC_ENCRYPTION", protection_level="SOFTWARE"
            ),
            labels=gcp_labels(dict(tags)),
            opts=keep,
        )
        self.key_id: pulumi.Output[str] = self.crypto_key.id
        self.grants: list[kms.CryptoKeyIAMMember] = [
            kms.CryptoKeyIAMMember(
                f"{name}-user-{i}", crypto_key_id=self.crypto_key.id, role=ENCRYPTER_DECRYPTER, member=member, opts=keep
            )
            for i, member in enumerate(users)
        ]
        self.register_outputs({"keyId": self.key_id, "keyRing": self.key_ring.id, "location": location})
