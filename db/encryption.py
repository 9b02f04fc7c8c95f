"""Encryption of free text at rest, and the keyed hash that stands in for a person's channel id.

``CAREBOT_DATA_KEY`` holds one or more keys as ``id:base64key`` separated by commas; the first
encrypts, all decrypt, so keys can rotate without rewriting old rows. Each stored value carries
the id of the key that sealed it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12
_PREFIX = "v1"


class DataKeyError(RuntimeError):
    """No usable data key: carebot refuses to store personal data unencrypted."""


@dataclass(frozen=True)
class DataKeys:
    active_id: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, spec: str) -> DataKeys:
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            key_id, _, encoded = part.partition(":")
            if not key_id or not encoded or not key_id.isalnum():
                raise DataKeyError("CAREBOT_DATA_KEY must look like 'k1:<base64 of 32 bytes>'")
            try:
                raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            except ValueError as exc:
                raise DataKeyError(f"key {key_id!r} in CAREBOT_DATA_KEY is not base64") from exc
            if len(raw) != 32:
                raise DataKeyError(f"key {key_id!r} in CAREBOT_DATA_KEY must be 32 bytes")
            keys[key_id] = raw
            order.append(key_id)
        if not order:
            raise DataKeyError("CAREBOT_DATA_KEY is empty")
        return cls(active_id=order[0], keys=keys)

    def encrypt(self, plaintext: str) -> str:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active_id]).encrypt(
            nonce, plaintext.encode("utf-8"), self.active_id.encode()
        )
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{_PREFIX}:{self.active_id}:{body}"

    def decrypt(self, stored: str) -> str:
        prefix, key_id, body = stored.split(":", 2)
        if prefix != _PREFIX or key_id not in self.keys:
            raise DataKeyError(f"no key {key_id!r} to decrypt a stored value")
        raw = base64.urlsafe_b64decode(body)
        plain = AESGCM(self.keys[key_id]).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], key_id.encode()
        )
        return plain.decode("utf-8")

    def user_key(self, channel: str, channel_user_id: str) -> str:
        """A stable pseudonym for a person on a channel; the raw id is never stored."""
        return self.keyed_hash(b"user-id", f"{channel}:{channel_user_id}")[:32]

    def keyed_hash(self, label: bytes, value: str, key_id: str | None = None) -> str:
        """HMAC-SHA256 of ``value`` under the data key ``key_id`` (the active one by default),
        with ``label`` saying what it is for, so one hash can never stand in for another kind.
        A stored hash is useless without the data key."""
        key = self.keys[key_id or self.active_id]
        return hmac.new(key + label, value.encode(), hashlib.sha256).hexdigest()

    def keyed_hashes(self, label: bytes, value: str) -> list[str]:
        """``value``'s keyed hash under every key, active first: what to look a stored hash up
        by, so secrets hashed before a key rotation still match."""
        return [self.keyed_hash(label, value, key_id) for key_id in
                [self.active_id, *(k for k in self.keys if k != self.active_id)]]


def new_key_spec(key_id: str = "k1") -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode('ascii').rstrip('=')}"


def load_data_keys(
    environ: dict[str, str], demo_mode: bool, data_dir: Path
) -> tuple[DataKeys, str]:
    """The keys to use, and a sentence saying where they came from (printed at start).

    Outside demo mode a missing key is an error: silently generating one would make
    data unreadable after a restart on another machine. Demo mode refuses a real key: demo
    mode lets `seed-demo` add staff accounts whose passwords are published in the README, so
    it must never run on a real key's data.
    """
    spec = environ.get("CAREBOT_DATA_KEY", "").strip()
    if spec and demo_mode:
        raise DataKeyError(
            "CAREBOT_DEMO=1 and CAREBOT_DATA_KEY are both set. Demo mode adds accounts with "
            "published passwords, so it only runs with its own generated key: unset "
            "CAREBOT_DATA_KEY for a demo, or CAREBOT_DEMO for real data."
        )
    if spec:
        return DataKeys.parse(spec), "data key from CAREBOT_DATA_KEY"
    if not demo_mode:
        raise DataKeyError(
            "CAREBOT_DATA_KEY is not set. Generate one with `carebot new-key` and keep it "
            "safe; or run with CAREBOT_DEMO=1 to use a generated demo key."
        )
    key_file = data_dir / "demo-data-key"
    if not key_file.exists():
        if not data_dir.exists():
            data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created readable by this account alone, with no moment when it is not.
        with os.fdopen(os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "w") as f:
            f.write(new_key_spec("demo"))
    return (
        DataKeys.parse(key_file.read_text().strip()),
        f"DEMO MODE: using a generated data key stored in {key_file} (not for real data)",
    )
