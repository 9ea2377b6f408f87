"""Network credentials encrypted at rest with a key from the environment (`HASHCHAT_SECRET_KEY`).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) seals the credentials' JSON; the key
is derived from the variable's value with SHA-256, so any long random string serves (a Fernet
key too). Without the variable nothing is stored: `SecretKeyMissingError` says which variable
to set. The plaintext never leaves this module but to the bridge that uses it; `Credentials`
hides its values from `repr`, so a log line or a traceback never shows them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken

SECRET_KEY_VARIABLE = "HASHCHAT_SECRET_KEY"  # noqa: S105 (a variable name, not a secret)
MIN_KEY_LENGTH = 16


class SecretKeyMissingError(RuntimeError):
    """No usable key in the environment: credentials cannot be stored or read."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """A bridge's secret values by name (app password, access token, API keys)."""

    values: Mapping[str, str] = field(repr=False)

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def get(self, name: str, default: str = "") -> str:
        """The value of `name`, or `default`."""
        return self.values.get(name, default)


def _fernet(environ: Mapping[str, str]) -> Fernet:
    value = environ.get(SECRET_KEY_VARIABLE, "")
    if len(value) < MIN_KEY_LENGTH:
        reason = "is not set" if not value else f"is shorter than {MIN_KEY_LENGTH} characters"
        raise SecretKeyMissingError(
            f"{SECRET_KEY_VARIABLE} {reason}: set it to a long random string (for example "
            f"`python -c 'import secrets; print(secrets.token_urlsafe(32))'`) to store network "
            f"credentials"
        )
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(value.encode()).digest()))


def check_key(environ: Mapping[str, str] | None = None) -> None:
    """Raise `SecretKeyMissingError` unless a key is set."""
    _fernet(os.environ if environ is None else environ)


def seal(credentials: Credentials, environ: Mapping[str, str] | None = None) -> str:
    """The credentials as a Fernet token (text), for the database."""
    fernet = _fernet(os.environ if environ is None else environ)
    return fernet.encrypt(json.dumps(dict(credentials.values)).encode()).decode("ascii")


def unseal(token: str, environ: Mapping[str, str] | None = None) -> Credentials:
    """The credentials back from `seal`'s token; `SecretKeyMissingError` when the key is absent or
    is not the one they were sealed with."""
    fernet = _fernet(os.environ if environ is None else environ)
    try:
        plain = fernet.decrypt(token.encode("ascii"))
    except InvalidToken:
        raise SecretKeyMissingError(
            f"{SECRET_KEY_VARIABLE} is not the key these credentials were stored with; "
            f"connect the account again"
        ) from None
    values = json.loads(plain)
    return Credentials({str(k): str(v) for k, v in values.items()})
