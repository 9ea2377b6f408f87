"""Top-level domains for URL detection, read once from the Public Suffix List that `tld` ships.

Typing the list in by hand would rot as ICANN delegates new domains; the `tld` package keeps
a current copy of the Public Suffix List in its `res/` folder, so we take the last label of
every rule in its ICANN section (generic, country-code and internationalised TLDs alike).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PSL_FILE = ("res", "effective_tld_names.dat.txt")
_ICANN_BEGIN = "// ===BEGIN ICANN DOMAINS==="
_ICANN_END = "// ===END ICANN DOMAINS==="


def icann_top_level_domains(public_suffix_list: str) -> frozenset[str]:
    """Return the lower-cased TLDs named by the ICANN section of a Public Suffix List text."""
    domains: set[str] = set()
    inside_icann = False
    for raw_line in public_suffix_list.splitlines():
        line = raw_line.strip()
        if line.startswith(_ICANN_BEGIN):
            inside_icann = True
        elif line.startswith(_ICANN_END):
            break
        elif inside_icann and line and not line.startswith("//"):
            rule = line.split()[0].lstrip("!")
            domains.add(rule.rsplit(".", 1)[-1].lower())
    return frozenset(domains)


def _read_bundled_list() -> str:
    # find_spec locates the package without running its __init__ (25 ms of CLI start-up).
    spec = importlib.util.find_spec("tld")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the `tld` package (Public Suffix List) is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder.joinpath(*_PSL_FILE).read_text(encoding="utf-8")


TOP_LEVEL_DOMAINS: frozenset[str] = icann_top_level_domains(_read_bundled_list())
