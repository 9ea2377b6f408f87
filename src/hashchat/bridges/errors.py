"""How a network refuses: a login it rejects (the host must fix the credentials), or a busy or
unreachable service (the bridge backs off and tries again)."""

from __future__ import annotations


class BridgeError(Exception):
    """Base of the bridges' refusals; `reason` is the network's word, for the host."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LoginRefusedError(BridgeError):
    """The network rejected the credentials (or the address names no such service)."""


class NetworkBusyError(BridgeError):
    """Rate limited (429), a server error (5xx) or unreachable: retry after a back-off."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
