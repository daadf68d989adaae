"""Pseudonyms and encryption at rest.

A reporter is known only by a keyed pseudonym (HMAC-SHA256 of channel + address). Free text and the
contact address needed to reply are encrypted with Fernet. Both keys are derived from
SALAMA_SECRET_KEY with HKDF, so one secret gives two independent keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"salama-v1", info=purpose).derive(secret)


class Vault:
    """Keyed pseudonyms and authenticated encryption, from one secret key."""

    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 32:
            raise ValueError("SALAMA_SECRET_KEY must be at least 32 characters")
        secret = secret_key.encode()
        self._pseudonym_key = _derive(secret, b"pseudonym")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, b"encryption")))

    def pseudonym(self, channel: str, address: str) -> str:
        """Stable, keyed, one-way identifier for a channel address (64 hex characters)."""
        message = f"{channel}\x00{address}".encode()
        return hmac.new(self._pseudonym_key, message, hashlib.sha256).hexdigest()

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as exc:  # wrong key or tampered row: say so without the content
            raise ValueError("cannot decrypt: wrong SALAMA_SECRET_KEY or corrupted data") from exc

    def encrypt_optional(self, text: str | None) -> bytes | None:
        return None if text is None else self.encrypt(text)

    def decrypt_optional(self, token: bytes | None) -> str | None:
        return None if token is None else self.decrypt(token)
