"""The nginx + nchan configuration: the shipped template, its values, and its rendering."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from hashchat.settings import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_UPLOAD_BYTES,
    UPLOAD_PREFIX,
    UPLOAD_ROUTE_PATTERN,
)

TEMPLATE_NAME = "nginx-hashchat.conf.template"
NCHAN_MODULES = (
    Path("/usr/lib/nginx/modules/ngx_nchan_module.so"),
    Path("/usr/lib64/nginx/modules/ngx_nchan_module.so"),
    Path("/usr/local/nginx/modules/ngx_nchan_module.so"),
)
# The settings behind the template's client_max_body_size lines.
BODY_LIMITS = ("HASHCHAT_MAX_BODY", "HASHCHAT_MAX_UPLOAD")
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


class StackError(Exception):
    """The stack cannot start or stop; the message says what is missing or wrong."""


def template_path() -> Path:
    """The shipped template: inside the installed package, else `deploy/` of a checkout."""
    here = Path(__file__).resolve()
    for candidate in (here.parent / TEMPLATE_NAME, here.parents[3] / "deploy" / TEMPLATE_NAME):
        if candidate.is_file():
            return candidate
    raise StackError(f"cannot find {TEMPLATE_NAME} (looked next to {here.parent} and in deploy/)")


def nginx_binary() -> str:
    """The nginx executable, or a StackError saying how to install it."""
    found = shutil.which("nginx") or next(
        (str(p) for p in (Path("/usr/sbin/nginx"), Path("/usr/local/sbin/nginx")) if p.is_file()),
        None,
    )
    if found is None:
        raise StackError(
            "nginx is not installed (Debian: apt-get install nginx libnginx-mod-nchan)"
        )
    return found


def nchan_module() -> Path:
    """The nchan module file, or a StackError saying how to install it."""
    for candidate in NCHAN_MODULES:
        if candidate.is_file():
            return candidate
    raise StackError(
        "the nchan module is not installed (Debian: apt-get install libnginx-mod-nchan)"
    )


@dataclass(frozen=True, slots=True)
class NginxValues:
    """Everything the template needs (see the comment block at its top)."""

    front_host: str
    front_port: int
    publish_port: int
    app_ports: tuple[int, ...]
    buffer_length: int = 1000
    message_seconds: int = 3600
    shared_memory: str = "128m"
    worker_processes: str = "auto"
    nchan_redis_url: str | None = None
    # Request body limits, as the app processes have them (web.body_limit).
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES

    def placeholders(self, module: Path) -> dict[str, str]:
        """The value of every placeholder."""
        servers = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;"
            for port in self.app_ports
        )
        return {
            "nchan_module": str(module),
            "worker_processes": self.worker_processes,
            "front_host": self.front_host,
            "front_port": str(self.front_port),
            "publish_port": str(self.publish_port),
            "app_servers": servers,
            "buffer_length": str(self.buffer_length),
            "message_seconds": str(self.message_seconds),
            "shared_memory": self.shared_memory,
            "redis": "" if self.nchan_redis_url else "#",
            "redis_url": self.nchan_redis_url or "redis://127.0.0.1:6379/0",
            "max_body": str(self.max_body_bytes),
            "max_upload": str(self.max_upload_bytes),
            # Both kinds of upload path in one regular expression (PCRE reads Python's).
            "upload_paths": f"^(?:{UPLOAD_PREFIX}|{UPLOAD_ROUTE_PATTERN.removeprefix('^')})",
        }


def render(template: str, values: dict[str, str]) -> str:
    """Replace every `{{name}}`; a placeholder without a value is an error, not a blank."""
    missing = sorted({name for name in _PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise StackError(f"the nginx template needs values for: {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def render_config(values: NginxValues) -> str:
    """The nginx.conf of the stack, from the shipped template."""
    return render(template_path().read_text(), values.placeholders(nchan_module()))
