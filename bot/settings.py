"""Settings from environment variables and an optional ``.env`` file (pydantic-settings)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.content.loader import default_content_dir

_TOKEN_RE = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{30,}$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message is one line naming the variable."""


class ContentSettings(BaseSettings):
    """The settings that commands without a token (``classify``) need too."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    content_dir: Path = Field(default_factory=default_content_dir)
    helpline_country: str = Field(
        default="INTL",
        description="Whose helplines to show: US, GB, CA, AU, IE, or INTL (international).",
    )

    @field_validator("helpline_country", mode="before")
    @classmethod
    def _country_upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value


class Settings(ContentSettings):
    bot_token: SecretStr = Field(description="The token @BotFather gave you.")
    bot_api_base_url: str = Field(
        default="https://api.telegram.org",
        description="Bot API server root; point it at a self-hosted server or an emulator.",
    )
    database_path: Path = Field(
        default=Path("data/breathing_room.sqlite3"), description="SQLite file."
    )
    log_format: Literal["console", "json"] | None = Field(
        default=None, description="console or json; default: console on a terminal, json otherwise."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    flood_limit: int = Field(default=20, ge=1, description="Updates a person may send per window.")
    flood_window: float = Field(default=10.0, gt=0, description="Flood window, in seconds.")
    nudge_sweep_seconds: float = Field(
        default=30.0, ge=0.05, le=3600, description="How often to look for nudges that are due."
    )
    reply_rate: float = Field(
        default=30.0, gt=0, le=10000, description="Replies sent per second at most, overall."
    )
    nudge_rate: float = Field(
        default=29.0, gt=0, le=1000, description="Nudges sent per second at most (Telegram: ~30)."
    )
    log_salt: SecretStr | None = Field(
        default=None,
        description="Salt for hashing user ids in logs; default: derived from the token.",
    )
    mode: Literal["polling", "webhook"] = Field(
        default="polling", description="polling (no public address needed) or webhook."
    )
    webhook_url: str | None = Field(
        default=None, description="The public HTTPS address Telegram posts updates to."
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Za-z0-9_-).",
    )
    webhook_listen: str = Field(default="0.0.0.0", description="Address the webhook server binds.")
    webhook_port: int = Field(default=8443, ge=1, le=65535, description="Webhook server port.")
    admin_ids: list[int] = Field(
        default_factory=list, description="Telegram user ids allowed to use /stats (JSON list)."
    )
    http_read_timeout: float = Field(
        default=5.0, gt=0, le=120, description="Seconds to wait for Telegram to answer a call."
    )
    outbox_retry_seconds: float = Field(
        default=5.0, ge=0.05, le=600, description="How often replies that failed are retried."
    )
    health_max_idle: float = Field(
        default=120.0, gt=0, description="Seconds without progress before the health check fails."
    )

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_RE.match(value.get_secret_value()):
            raise ValueError("must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> Settings:
        if self.mode == "webhook" and (self.webhook_url is None or self.webhook_secret is None):
            raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
        return self

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN_RE.match(value.get_secret_value().strip()):
            raise ValueError("malformed")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("bot_api_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def api_url(self) -> str:
        """The ``base_url`` python-telegram-bot wants: the server root plus ``/bot``."""
        return f"{self.bot_api_base_url}/bot"

    @property
    def resolved_log_format(self) -> str:
        if self.log_format is not None:
            return self.log_format
        return "console" if sys.stderr.isatty() else "json"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation error into a one-line :class:`SettingsError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problem = error.errors()[0]
        name = str(problem["loc"][0]).upper() if problem["loc"] else "settings"
        if name == "BOT_TOKEN":
            if problem["type"] == "missing":
                raise SettingsError(
                    "BOT_TOKEN is not set: put the token from @BotFather in the environment or .env"
                ) from None
            raise SettingsError(
                "BOT_TOKEN is malformed: expected digits, a colon and the secret, as @BotFather "
                "gives it"
            ) from None
        # Never echo the value: it might be a secret.
        raise SettingsError(f"{name} is invalid: {problem['msg']}") from None
