"""A real WordPress for the blog tests: Debian's `wordpress` package under PHP's built-in server,
with a private MariaDB, everything under one temporary directory (the recipe verified in
`../shared/notes/wordpress-local.md`). Started once per test session (per xdist worker), stopped
with it; nothing is cached but the apt install (`make blog-deps`).

`LocalWordPress.start(tmp)` returns a running site with an admin account and an Application
Password; its helpers act as the blog's visitors and admin do (comment, reply, approve, edit,
delete, export WXR) over WordPress's own HTTP interfaces.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

WORDPRESS_TREE = Path("/usr/share/wordpress")
REQUIRED = ("php", "mariadbd", "mariadb-install-db", "mariadb")
ADMIN = "admin"
ADMIN_PASSWORD = "correct horse battery staple"

ROUTER = """<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$file = __DIR__ . '/wordpress' . $path;
if ($path !== '/' && file_exists($file) && !is_dir($file)) {
    return false;
}
if (is_dir($file) && file_exists($file . '/index.php')) {
    $_SERVER['SCRIPT_NAME'] = rtrim($path, '/') . '/index.php';
    $_SERVER['SCRIPT_FILENAME'] = $file . '/index.php';
    $_SERVER['PHP_SELF'] = $_SERVER['SCRIPT_NAME'];
    chdir($file);
    require $file . '/index.php';
    return true;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/wordpress/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
chdir(__DIR__ . '/wordpress');
require __DIR__ . '/wordpress/index.php';
"""

MU_PLUGIN = """<?php
// Test only: visitors on 127.0.0.1 may comment over REST, and quickly.
add_filter('rest_allow_anonymous_comments', '__return_true');
add_filter('wp_is_comment_flood', '__return_false', 100);
"""


def missing_programs() -> str | None:
    """What this machine lacks to run WordPress, or None."""
    absent = [name for name in REQUIRED if shutil.which(name) is None]
    if not WORDPRESS_TREE.is_dir():
        absent.append(str(WORDPRESS_TREE))
    if absent:
        return f"WordPress tests need {', '.join(absent)} (run `make blog-deps`)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(what: str, ready: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")


def _stop_group(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        if process is not None:
            process.wait()
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class LocalWordPress:
    """One running WordPress site on 127.0.0.1."""

    root: Path
    url: str
    app_password: str = ""
    user: str = ADMIN
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    # -- life ----------------------------------------------------------------------------------

    @classmethod
    def start(cls, root: Path) -> LocalWordPress:
        """Start MariaDB and WordPress under `root`, install, make an Application Password."""
        root.mkdir(parents=True, exist_ok=True)
        site = cls(root=root, url=f"http://127.0.0.1:{_free_port()}")
        try:
            db_port = site._start_database()
            site._copy_wordpress(db_port)
            site._start_web_server()
            site._install()
            site.app_password = site._make_application_password()
        except BaseException:
            site.stop()
            raise
        return site

    def stop(self) -> None:
        """Stop the web server and the database (process groups), newest first."""
        for process in reversed(self._processes):
            _stop_group(process)
        self._processes.clear()

    def _spawn(self, argv: list[str], log: str, **kwargs: Any) -> subprocess.Popen[bytes]:
        output = (self.root / log).open("ab")
        process = subprocess.Popen(
            argv, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
        output.close()
        self._processes.append(process)
        return process

    def _start_database(self) -> int:
        data, sock, port = self.root / "db", self.root / "mysql.sock", _free_port()
        user = getpass.getuser()
        subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--user={user}",
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
            ],
            check=True,
            capture_output=True,
        )
        self._spawn(
            [
                "mariadbd",
                "--no-defaults",
                f"--user={user}",
                f"--datadir={data}",
                f"--socket={sock}",
                f"--port={port}",
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
            ],
            "mariadb.log",
        )
        client = ["mariadb", "--no-defaults", f"--socket={sock}", "-uroot"]
        _wait(
            "MariaDB",
            lambda: (
                subprocess.run([*client, "-e", "SELECT 1"], capture_output=True).returncode == 0
            ),
        )
        subprocess.run(
            [
                *client,
                "-e",
                "CREATE DATABASE wordpress; CREATE USER 'wp'@'127.0.0.1' IDENTIFIED BY 'wp';"
                " GRANT ALL ON wordpress.* TO 'wp'@'127.0.0.1';",
            ],
            check=True,
            capture_output=True,
        )
        return port

    def _copy_wordpress(self, db_port: int) -> None:
        tree = self.root / "wordpress"
        try:
            subprocess.run(
                ["cp", "-al", str(WORDPRESS_TREE), str(tree)], check=True, capture_output=True
            )
        except subprocess.CalledProcessError:
            shutil.rmtree(tree, ignore_errors=True)
            shutil.copytree(WORDPRESS_TREE, tree, symlinks=True)
        for name in ("wp-config.php", ".htaccess"):
            (tree / name).unlink(missing_ok=True)  # never write through a hard link
        salts = "\n".join(
            f"define('{key}', '{secrets.token_hex(32)}');"
            for key in (
                "AUTH_KEY",
                "SECURE_AUTH_KEY",
                "LOGGED_IN_KEY",
                "NONCE_KEY",
                "AUTH_SALT",
                "SECURE_AUTH_SALT",
                "LOGGED_IN_SALT",
                "NONCE_SALT",
            )
        )
        (tree / "wp-config.php").write_text(
            f"""<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wp');
define('DB_PASSWORD', 'wp');
define('DB_HOST', '127.0.0.1:{db_port}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
{salts}
define('WP_HOME', '{self.url}');
define('WP_SITEURL', '{self.url}');
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISALLOW_FILE_MODS', true);
define('WP_DEBUG', false);
if (!defined('ABSPATH')) {{ define('ABSPATH', __DIR__ . '/'); }}
require_once ABSPATH . 'wp-settings.php';
"""
        )
        plugins = tree / "wp-content" / "mu-plugins"
        if plugins.is_symlink():
            plugins.unlink()
        plugins.mkdir(parents=True, exist_ok=True)
        (plugins / "hashchat-tests.php").write_text(MU_PLUGIN)
        (self.root / "router.php").write_text(ROUTER)

    def _start_web_server(self) -> None:
        port = self.url.rsplit(":", 1)[1]
        environment = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        self._spawn(
            [
                "php",
                "-S",
                f"127.0.0.1:{port}",
                "-t",
                str(self.root / "wordpress"),
                str(self.root / "router.php"),
            ],
            "php.log",
            env=environment,
            cwd=self.root,
        )
        _wait("PHP", lambda: httpx.get(f"{self.url}/wp-login.php", timeout=5).status_code < 600)

    def _install(self) -> None:
        response = httpx.post(
            f"{self.url}/wp-admin/install.php?step=2",
            data={
                "weblog_title": "Kaizen for small business",
                "user_name": ADMIN,
                "admin_password": ADMIN_PASSWORD,
                "admin_password2": ADMIN_PASSWORD,
                "pw_weak": "1",
                "admin_email": "host@example.org",
                "blog_public": "0",
            },
            timeout=60,
        )
        if "Success" not in response.text:
            raise RuntimeError(f"WordPress install failed: {response.status_code}")

    @contextlib.contextmanager
    def admin_session(self) -> Iterator[httpx.Client]:
        """An httpx client logged in to wp-admin with a cookie (the WXR export needs one)."""
        with httpx.Client(base_url=self.url, timeout=30, follow_redirects=False) as client:
            client.get("/wp-login.php")
            answer = client.post(
                "/wp-login.php",
                data={
                    "log": ADMIN,
                    "pwd": ADMIN_PASSWORD,
                    "wp-submit": "Log In",
                    "testcookie": "1",
                },
            )
            if answer.status_code != 302:
                raise RuntimeError(f"wp-login answered {answer.status_code}")
            yield client

    def _make_application_password(self) -> str:
        with self.admin_session() as client:
            nonce = client.get("/wp-admin/admin-ajax.php", params={"action": "rest-nonce"}).text
            created = client.post(
                "/wp-json/wp/v2/users/me/application-passwords",
                json={"name": f"hashchat-{secrets.token_hex(4)}"},
                headers={"X-WP-Nonce": nonce.strip()},
            )
            created.raise_for_status()
            password: str = created.json()["password"]
            return password

    # -- the REST API as the admin and as visitors ----------------------------------------------

    def api(self, *, anonymous: bool = False) -> httpx.Client:
        """A client of `/wp-json/wp/v2/`, as the admin (Application Password) or anonymous."""
        auth = None if anonymous else (self.user, self.app_password)
        return httpx.Client(base_url=f"{self.url}/wp-json/wp/v2", auth=auth, timeout=30)

    def comment(self, post_id: int, author: str, text: str, parent: int = 0) -> int:
        """A visitor's comment (held for moderation by default, as WordPress does)."""
        mailbox = re.sub("[^a-z0-9]+", ".", author.lower()).strip(".") or "reader"
        with self.api(anonymous=True) as client:
            answer = client.post(
                "/comments",
                json={
                    "post": post_id,
                    "author_name": author,
                    "author_email": f"{mailbox}@example.org",
                    "content": text,
                    "parent": parent,
                },
            )
            answer.raise_for_status()
            comment_id: int = answer.json()["id"]
            return comment_id

    def moderate(self, comment_id: int, **fields: Any) -> dict[str, Any]:
        """Change a comment as the admin (`status="approved"`, `content=…`)."""
        with self.api() as client:
            answer = client.post(f"/comments/{comment_id}", json=fields)
            answer.raise_for_status()
            result: dict[str, Any] = answer.json()
            return result

    def export_wxr(self) -> bytes:
        """The blog's own WXR export (Tools → Export), as its admin downloads it."""
        with self.admin_session() as client:
            answer = client.get(
                "/wp-admin/export.php", params={"download": "true", "content": "all"}
            )
            answer.raise_for_status()
            return answer.content
