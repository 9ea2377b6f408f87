"""The layers import one way (docs/ARCHITECTURE.md): nothing below the web layer imports it, so
the CLI and workers assemble a running hashchat from `hashchat.assembly`, not from `hashchat.web`.
Checked in a fresh interpreter, on every module of each package."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import hashchat

BELOW_THE_WEB = ("cli", "actions", "bridges", "formats", "domain", "live", "store", "stack")


def _modules(package: str) -> list[str]:
    found = [f"hashchat.{package}"]
    root = __import__(f"hashchat.{package}", fromlist=["__path__"])
    for info in pkgutil.walk_packages(root.__path__, prefix=f"hashchat.{package}."):
        found.append(info.name)
    return found


@pytest.mark.parametrize("package", BELOW_THE_WEB)
def test_no_layer_below_the_web_imports_it(package: str) -> None:
    modules = _modules(package)
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "web = sorted(m for m in sys.modules if m.split('.')[:2] == ['hashchat', 'web'])\n"
        "print(','.join(web))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", f"hashchat.{package} imports {done.stdout.strip()}"


def test_the_package_list_is_complete() -> None:
    top = {info.name for info in pkgutil.iter_modules(hashchat.__path__) if info.ispkg}
    assert top - set(BELOW_THE_WEB) == {"web", "samples"}
