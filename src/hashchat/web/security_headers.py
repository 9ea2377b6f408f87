"""The security headers of every response: a Content-Security-Policy without inline scripts or
styles, no MIME sniffing, no framing by other sites, and a referrer that stays on this site.

Pages load their scripts and styles from /static only (templates hold no inline `<script>`,
event handler attribute or `style` attribute; a `<script type="application/json">` data block
is not a script). A response that sets its own Content-Security-Policy keeps it: the recap
exported as one HTML file allows exactly its own `<style>` by hash (`document_policy`), and an
embed route, if one is added, would list the origins that may frame it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from types import MappingProxyType

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: Mapping[str, str] = MappingProxyType(
    {
        "Content-Security-Policy": PAGE_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # for browsers without frame-ancestors
        "Referrer-Policy": "same-origin",
    }
)
_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def document_policy(html: str) -> str:
    """The policy of a self-contained HTML document (an export): nothing loads, no script runs,
    and only its own `<style>` elements apply (by their SHA-256)."""
    sources = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in _STYLE_ELEMENT.findall(html)
    )
    return "; ".join(
        (
            "default-src 'none'",
            "style-src " + (sources or "'none'"),
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeadersMiddleware:
    """Pure ASGI: adds SECURITY_HEADERS to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
