"""Passwords, session tokens and CSRF tokens for the dashboard.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile). A session
token lives only in the browser's cookie; the database keeps its SHA-256, so a copy of the database
opens no session. CSRF tokens are HMACs (the vault's keyed pseudonym) of a random value the browser
holds in an HttpOnly cookie: a form from another site can neither read nor forge them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from storage.crypto import Vault

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # hashing megabytes of "password" would be a cheap denial of service

_hasher = PasswordHasher()
# Checked when the user name is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class WeakPassword(ValueError):
    """The password does not meet the minimum."""


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"use at least {MIN_PASSWORD_LENGTH} characters (a few words make a good one)")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"use at most {MAX_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for(vault: Vault, purpose: str, secret: str) -> str:
    """The form token bound to the browser's secret (login cookie or session token)."""
    return vault.pseudonym(f"dashboard-csrf-{purpose}", secret)


def csrf_matches(vault: Vault, purpose: str, secret: str | None, submitted: str | None) -> bool:
    if not secret or not submitted:
        return False
    return hmac.compare_digest(csrf_for(vault, purpose, secret), submitted)
