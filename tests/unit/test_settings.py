"""Settings: defaults, environment, ``.env``, bad values named, and the documented table."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import AliasChoices

from tickstock.errors import ConfigError
from tickstock.settings import Settings, load_settings
from tickstock.settings_docs import settings_table_markdown

REPO = Path(__file__).resolve().parents[2]
VARIABLES = [
    field.validation_alias.choices[0]
    for field in Settings.model_fields.values()
    if isinstance(field.validation_alias, AliasChoices)
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting from the developer's shell or the repository's ``.env``."""
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_setting_has_an_environment_variable_and_a_description() -> None:
    assert len(VARIABLES) == len(Settings.model_fields)
    for name, field in Settings.model_fields.items():
        assert field.description, name
    for variable in VARIABLES:
        assert variable.startswith(("STREAMING_", "TICKSTOCK_")) or variable in {
            "REDIS_URL",
            "DATABASE_URL",
            # the providers' own names for their keys (issue 15)
            "MASSIVE_API_KEY",
            "ALPACA_API_KEY",
            "ALPACA_SECRET_KEY",
        }


def test_the_plans_dashboard_defaults() -> None:
    settings = load_settings()
    assert settings.streaming_dashboard_enabled is True
    assert settings.streaming_refresh_interval == 30
    assert settings.streaming_max_pattern_events == 50
    assert settings.streaming_max_alert_events == 30
    assert settings.streaming_auto_scroll is True
    assert settings.streaming_sound_alerts is False


def test_connection_and_engine_defaults() -> None:
    settings = load_settings()
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.database_url.startswith("sqlite+aiosqlite://")
    assert settings.auth_token is None
    assert settings.health_interval == 60.0
    assert settings.stale_after_intervals == 3


def test_the_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STREAMING_MAX_PATTERN_EVENTS", "120")
    monkeypatch.setenv("STREAMING_SOUND_ALERTS", "true")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6380/2")
    monkeypatch.setenv("TICKSTOCK_ALLOWED_ORIGINS", '["https://dash.example"]')
    settings = load_settings()
    assert settings.streaming_max_pattern_events == 120
    assert settings.streaming_sound_alerts is True
    assert settings.redis_url == "redis://cache.internal:6380/2"
    assert settings.allowed_origins == ["https://dash.example"]


def test_a_dotenv_file_in_the_working_directory_is_read(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text(
        "# demo settings\nSTREAMING_REFRESH_INTERVAL=0\nTICKSTOCK_HEALTH_INTERVAL=2.5\n"
    )
    settings = load_settings()
    assert settings.streaming_refresh_interval == 0
    assert settings.health_interval == 2.5


def test_the_environment_wins_over_dotenv(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_environment / ".env").write_text("STREAMING_MAX_ALERT_EVENTS=10\n")
    monkeypatch.setenv("STREAMING_MAX_ALERT_EVENTS", "20")
    assert load_settings().streaming_max_alert_events == 20


def test_the_auth_token_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TICKSTOCK_AUTH_TOKEN", "s3cret-token")
    settings = load_settings()
    assert settings.auth_token is not None
    assert settings.auth_token.get_secret_value() == "s3cret-token"
    assert "s3cret-token" not in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("STREAMING_MAX_PATTERN_EVENTS", "abc"),
        ("STREAMING_MAX_PATTERN_EVENTS", "0"),
        ("STREAMING_REFRESH_INTERVAL", "-1"),
        ("STREAMING_REFRESH_INTERVAL", "3601"),
        ("STREAMING_DASHBOARD_ENABLED", "maybe"),
        ("TICKSTOCK_PORT", "70000"),
        ("TICKSTOCK_LOG_LEVEL", "LOUD"),
        ("TICKSTOCK_HEALTH_INTERVAL", "0"),
        ("TICKSTOCK_ALLOWED_ORIGINS", "https://dash.example"),
    ],
)
def test_a_bad_value_raises_a_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ")


def test_a_bad_value_in_dotenv_is_named_too(clean_environment: Path) -> None:
    (clean_environment / ".env").write_text("STREAMING_MAX_ALERT_EVENTS=lots\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.variable == "STREAMING_MAX_ALERT_EVENTS"


def test_a_bad_override_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(streaming_max_pattern_events=-5)
    assert caught.value.variable == "STREAMING_MAX_PATTERN_EVENTS"


def test_the_settings_table_lists_every_variable_with_its_default() -> None:
    table = settings_table_markdown()
    for variable in VARIABLES:
        assert f"| `{variable}` |" in table
    assert "| `STREAMING_MAX_PATTERN_EVENTS` | `50` |" in table
    assert "| `TICKSTOCK_AUTH_TOKEN` | (unset) |" in table


def test_docs_configuration_md_matches_the_settings() -> None:
    documented = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert documented == settings_table_markdown(), (
        "docs/configuration.md is out of date with src/tickstock/settings.py: "
        "run `tickstock config docs` and commit the result"
    )
