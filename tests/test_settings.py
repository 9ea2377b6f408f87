"""Settings from the environment: every variable parsed, bad values named."""

from __future__ import annotations

import pytest

from hashchat.settings import ENVIRONMENT, RateLimit, Settings, SettingsError


def test_environment_variables_set_their_fields() -> None:
    settings = Settings.from_env(
        {
            "HASHCHAT_DATABASE_URL": "sqlite:///x.db",
            "HASHCHAT_POST_RATE": "100/1",
            "HASHCHAT_COOKIE_SECURE": "false",
            "HASHCHAT_SSE_HEARTBEAT": "2.5",
        }
    )
    assert settings.database_url == "sqlite:///x.db"
    assert settings.post_rate == RateLimit(100, 1.0)
    assert settings.cookie_secure is False
    assert settings.sse_heartbeat_seconds == 2.5


def test_overrides_win_and_none_means_unset() -> None:
    settings = Settings.from_env(
        {"HASHCHAT_DATABASE_URL": "sqlite:///a.db"}, database_url=None, port=9
    )
    assert (settings.database_url, settings.port) == ("sqlite:///a.db", 9)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HASHCHAT_POST_RATE", "ten"),
        ("HASHCHAT_POST_RATE", "0/5"),
        ("HASHCHAT_COOKIE_SECURE", "maybe"),
        ("HASHCHAT_SSE_HEARTBEAT", "-1"),
        ("HASHCHAT_SSE_QUEUE_SIZE", "lots"),
        ("HASHCHAT_NCHAN_INTERVAL", "-0.1"),
        ("HASHCHAT_NCHAN_INTERVAL", "nan"),
        ("HASHCHAT_NCHAN_INTERVAL", "60"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_every_variable_names_a_real_field() -> None:
    fields = set(Settings.__dataclass_fields__)
    assert {name for name, _, _ in ENVIRONMENT.values()} <= fields


def test_scale_out_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "HASHCHAT_REDIS_URL": "redis://127.0.0.1:6379/3",
            "HASHCHAT_FANOUT": "nchan",
            "HASHCHAT_NCHAN_PUBLISH": "http://127.0.0.1:8081/pub",
            "HASHCHAT_NCHAN_BUFFER": "200",
            "HASHCHAT_NCHAN_INTERVAL": "0",
        }
    )
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    assert (settings.fanout, settings.nchan_buffer_length) == ("nchan", 200)
    assert settings.nchan_interval_seconds == 0.0
    assert Settings.from_env({}).nchan_interval_seconds == 0.1


def test_nchan_fanout_without_a_publisher_url_is_refused() -> None:
    with pytest.raises(SettingsError, match="--nchan-publish"):
        Settings.from_env({"HASHCHAT_FANOUT": "nchan"})
    with pytest.raises(SettingsError, match="HASHCHAT_FANOUT"):
        Settings.from_env({"HASHCHAT_FANOUT": "pushpin"})


def test_trusted_proxies_and_registration_rate() -> None:
    assert Settings.from_env({}).trusted_proxies == ()  # no proxy is believed by default
    settings = Settings.from_env(
        {
            "HASHCHAT_TRUSTED_PROXIES": " 127.0.0.1, 10.1.2.3/8 ,::1,",
            "HASHCHAT_REGISTER_RATE": "3/60",
        }
    )
    assert settings.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "::1/128")
    assert settings.register_rate == RateLimit(3, 60.0)
    for bad in ("*", "localhost", "10.0.0.0/33"):
        with pytest.raises(SettingsError, match="HASHCHAT_TRUSTED_PROXIES"):
            Settings.from_env({"HASHCHAT_TRUSTED_PROXIES": bad})
