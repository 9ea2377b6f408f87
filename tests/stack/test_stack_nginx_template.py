"""The shipped nginx template: every placeholder filled, every nchan directive commented."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ci_support import skip_or_fail
from hashchat.settings import UPLOAD_PREFIX, Settings
from hashchat.stack.nginx import NginxValues, StackError, render, template_path
from hashchat.web.body_limit import BodyLimitMiddleware

VALUES = NginxValues(front_host="127.0.0.1", front_port=18080, publish_port=18081, app_ports=(1, 2))


def test_rendering_fills_every_placeholder_and_lists_every_app() -> None:
    text = render(template_path().read_text(), VALUES.placeholders(Path("/x/nchan.so")))
    assert "{{" not in text
    assert "server 127.0.0.1:1 " in text
    assert "server 127.0.0.1:2 " in text
    assert "listen 127.0.0.1:18081;" in text
    assert "\n    #upstream hashchat_nchan_redis" in text  # Redis storage off by default
    with_redis = render(
        template_path().read_text(),
        NginxValues(
            front_host="h",
            front_port=1,
            publish_port=2,
            app_ports=(3,),
            nchan_redis_url="redis://r:1/0",
        ).placeholders(Path("/x/nchan.so")),
    )
    assert with_redis.count("\n            nchan_redis_pass hashchat_nchan_redis;") == 2
    assert "nchan_redis_server redis://r:1/0;" in with_redis


def test_a_missing_value_is_named() -> None:
    with pytest.raises(StackError, match="front_port"):
        render("listen {{front_port}};", {})


def test_every_nchan_directive_has_a_comment() -> None:
    lines = template_path().read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"\s*(\{\{redis\}\})?\s*nchan_\w+", line):
            commented = "#" in line.replace("{{redis}}", "") or lines[
                number - 1
            ].strip().startswith("#")
            assert commented, f"line {number + 1} has no comment: {line.strip()}"


@pytest.mark.parametrize("redis_url", [None, "redis://127.0.0.1:6379/0"])
def test_nginx_accepts_the_rendered_config(tmp_path: Path, redis_url: str | None) -> None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").is_file():
        skip_or_fail("nginx is not installed (apt-get install nginx libnginx-mod-nchan)")
    from hashchat.stack.nginx import nchan_module, nginx_binary, render_config

    try:
        nchan_module()
    except StackError as error:
        skip_or_fail(str(error))
    values = NginxValues(
        front_host="127.0.0.1",
        front_port=18080,
        publish_port=18081,
        app_ports=(1, 2),
        nchan_redis_url=redis_url,
    )
    (tmp_path / "nginx.conf").write_text(render_config(values))
    (tmp_path / "tmp").mkdir()
    checked = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_body_limits_mirror_the_app_settings() -> None:
    values = NginxValues(
        front_host="h",
        front_port=1,
        publish_port=2,
        app_ports=(3,),
        max_body_bytes=1000,
        max_upload_bytes=5000,
    )
    text = render(template_path().read_text(), values.placeholders(Path("/x/nchan.so")))
    front = text[text.index("listen h:1") :]
    assert "client_max_body_size 1000;" in front.split("location")[0]  # the whole front server
    found = re.search(r'location ~ "([^"]+)" \{([^}]*)\}', front[front.index("# Upload routes") :])
    assert found is not None
    paths, uploads = re.compile(found.group(1)), found.group(2)
    assert "client_max_body_size 5000;" in uploads
    # nginx gives the upload limit to exactly the paths the app gives it to.
    app = BodyLimitMiddleware(lambda *_: None, max_body_bytes=1000, max_upload_bytes=5000)  # type: ignore[arg-type]
    for path in (
        UPLOAD_PREFIX + "archive",
        "/api/v1/series/KaizenBiz/imports",
        "/api/v1/series/%23K%C4%B1/imports",
        "/api/v1/series/KaizenBiz/imports/1",
        "/api/v1/series/a/b/imports",
        "/api/v1/series//imports",
        "/api/v1/chats/1/posts",
        "/api/v1/uploads",
        "/x/api/v1/uploads/archive",
    ):
        upload = app.limit_for(path) == 5000
        assert (paths.search(path) is not None) == upload, path
    defaults = NginxValues(front_host="h", front_port=1, publish_port=2, app_ports=(3,))
    assert (defaults.max_body_bytes, defaults.max_upload_bytes) == (
        Settings().max_body_bytes,
        Settings().max_upload_bytes,
    )
