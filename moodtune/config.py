"""Settings from environment variables and `.streamlit/secrets.toml`.

Owns: where the library lives, which extractor/embedder/lyrics providers to use, and the keys
for external services (as SecretStr, never printed). Env vars use the MOODTUNE_ prefix, except
the conventional OPENAI_API_KEY, SPOTIPY_* and GENIUS_ACCESS_TOKEN names which are accepted too.
Must not do any network I/O.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from moodtune.errors import ConfigError

DEFAULT_HOME = ".moodtune"
SECRETS_PATH = Path(".streamlit") / "secrets.toml"


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOODTUNE_", extra="ignore", populate_by_name=True)

    home: str = Field(default=DEFAULT_HOME, validation_alias=_alias("MOODTUNE_HOME"))
    extractor: str = Field(default="local", validation_alias=_alias("MOODTUNE_EXTRACTOR"))
    embedder: str = Field(default="minilm", validation_alias=_alias("MOODTUNE_EMBEDDER"))
    lyrics_providers: tuple[str, ...] = Field(
        default=("lrclib", "genius"),
        validation_alias=_alias("MOODTUNE_LYRICS_PROVIDERS"),
    )
    llm_base_url: str | None = Field(
        default=None, validation_alias=_alias("MOODTUNE_LLM_BASE_URL", "OPENAI_BASE_URL")
    )
    llm_model: str = Field(default="gpt-4o-mini", validation_alias=_alias("MOODTUNE_LLM_MODEL"))
    llm_timeout: float = Field(default=30.0, validation_alias=_alias("MOODTUNE_LLM_TIMEOUT"))
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=_alias("OPENAI_API_KEY", "MOODTUNE_OPENAI_API_KEY")
    )
    spotify_client_id: str | None = Field(
        default=None,
        validation_alias=_alias("SPOTIPY_CLIENT_ID", "MOODTUNE_SPOTIFY_CLIENT_ID"),
    )
    spotify_client_secret: SecretStr | None = Field(
        default=None,
        validation_alias=_alias(
            "SPOTIPY_CLIENT_SECRET", "MOODTUNE_SPOTIFY_CLIENT_SECRET", "spotify_client_secret"
        ),
    )
    spotify_redirect_uri: str = Field(
        default="http://127.0.0.1:8888/callback",
        validation_alias=_alias(
            "SPOTIPY_REDIRECT_URI", "MOODTUNE_SPOTIFY_REDIRECT_URI", "spotify_redirect_uri"
        ),
    )
    spotify_refresh_token: SecretStr | None = Field(
        default=None,
        validation_alias=_alias(
            "SPOTIPY_REFRESH_TOKEN", "MOODTUNE_SPOTIFY_REFRESH_TOKEN", "spotify_refresh_token"
        ),
    )
    genius_access_token: SecretStr | None = Field(
        default=None,
        validation_alias=_alias(
            "GENIUS_ACCESS_TOKEN", "MOODTUNE_GENIUS_ACCESS_TOKEN", "genius_access_token"
        ),
    )
    ingest_batch_size: int = Field(
        default=16, ge=1, validation_alias=_alias("MOODTUNE_INGEST_BATCH_SIZE")
    )
    cache_dir: str | None = Field(default=None, validation_alias=_alias("MOODTUNE_CACHE_DIR"))
    # A library on object storage: MOODTUNE_HOME=s3://bucket/path (the library is PATH/library)
    # or MOODTUNE_LIBRARY_URL=s3://bucket/path/library. Any S3-compatible endpoint works.
    library: str | None = Field(default=None, validation_alias=_alias("MOODTUNE_LIBRARY_URL"))
    local_dir: str | None = Field(default=None, validation_alias=_alias("MOODTUNE_LOCAL_DIR"))
    s3_endpoint_url: str | None = Field(
        default=None, validation_alias=_alias("MOODTUNE_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL")
    )
    s3_region: str | None = Field(
        default=None,
        validation_alias=_alias("MOODTUNE_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
    )
    s3_access_key_id: str | None = Field(
        default=None, validation_alias=_alias("MOODTUNE_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID")
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None,
        validation_alias=_alias("MOODTUNE_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
    )
    s3_session_token: SecretStr | None = Field(
        default=None, validation_alias=_alias("MOODTUNE_S3_SESSION_TOKEN", "AWS_SESSION_TOKEN")
    )

    @field_validator("lyrics_providers", mode="before")
    @classmethod
    def _split_providers(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(p.strip() for p in value.split(",") if p.strip())
        return value

    @property
    def home_path(self) -> Path:
        """Local directory of the library (for local paths; URLs keep `home`)."""
        return Path(self.home).expanduser()

    @property
    def library_url(self) -> str:
        if self.library:
            return self.library.rstrip("/")
        return (
            str(Path(self.home).expanduser() / "library")
            if "://" not in self.home
            else self.home.rstrip("/") + "/library"
        )

    @property
    def remote(self) -> bool:
        """Whether the library is on object storage (anything but a local path or file://)."""
        return is_remote(self.library_url)

    @property
    def storage_creds(self) -> dict[str, str] | None:
        """Deep Lake `creds` for a remote library (endpoint, region, keys); None when local.

        Keys left unset are left out, so Deep Lake falls back to its own defaults (the usual
        AWS environment and profile chain).
        """
        if not self.remote:
            return None
        pairs = {
            "endpoint_url": self.s3_endpoint_url,
            "aws_region": self.s3_region,
            "aws_access_key_id": self.s3_access_key_id,
            "aws_secret_access_key": _secret(self.s3_secret_access_key),
            "aws_session_token": _secret(self.s3_session_token),
        }
        return {k: v for k, v in pairs.items() if v}

    @property
    def feedback_path(self) -> Path:
        return self.local_path / "feedback.db"

    @property
    def corrections_path(self) -> Path:
        """Listeners' corrections of song emotions: beside the library, outside the dataset."""
        return self.local_path / "corrections.db"

    @property
    def cache_path(self) -> Path:
        """Directory for on-disk caches (lyrics, LLM answers, OAuth tokens), outside the repo."""
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        return self.local_path / "cache"

    @property
    def pack_path(self) -> Path:
        """Where read-only library handles keep their per-version track packs."""
        return self.cache_path / "packs"

    @property
    def local_path(self) -> Path:
        """The local home of the SQLite side files (feedback, corrections) and caches.

        A local library keeps them in its home. A remote library cannot hold SQLite files, so
        they go to MOODTUNE_LOCAL_DIR, or by default to `.moodtune/remote/<bucket_path>-<hash>`:
        one folder per library URL, so two remote libraries never share votes or corrections.
        """
        if self.local_dir:
            return Path(self.local_dir).expanduser()
        if self.remote:
            return Path(DEFAULT_HOME) / "remote" / url_key(self.library_url)
        if self.library:
            return Path(self.library.removeprefix("file://")).expanduser().parent
        return Path(self.home.removeprefix("file://")).expanduser()

    @property
    def spotify_configured(self) -> bool:
        return bool(self.spotify_client_id)

    @property
    def llm_configured(self) -> bool:
        return self.openai_api_key is not None or self.llm_base_url is not None


def is_remote(url: str) -> bool:
    return "://" in url and not url.startswith("file://")


def url_key(url: str) -> str:
    """A folder name for a URL: its readable tail and a hash of all of it."""
    tail = "".join(c if c.isalnum() or c in "-_" else "_" for c in url.rstrip("/")[-40:])
    return f"{tail.strip('_')}-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:12]}"


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _read_secrets(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Could not read {path}: {exc}. Fix or remove that file.") from exc
    # Accept flat keys and a [moodtune] table; keys are matched case-insensitively to aliases.
    flat: dict[str, Any] = {k: v for k, v in data.items() if not isinstance(v, dict)}
    flat.update(data.get("moodtune", {}))
    return flat


def load_settings(secrets_path: Path | None = None, **overrides: Any) -> Settings:
    """Read settings: explicit overrides > env vars > secrets.toml > defaults."""
    secrets = _read_secrets(secrets_path if secrets_path is not None else SECRETS_PATH)
    try:
        base = Settings()
        values: dict[str, Any] = {}
        fields_set = base.model_fields_set
        for key, value in secrets.items():
            name = _field_for(key)
            if name and name not in fields_set:
                values[name] = value
        values.update(overrides)
        if values:
            merged = base.model_dump()
            merged.update(values)
            return Settings.model_validate(merged)
        return base
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"Invalid setting {loc}: {first['msg']}.") from exc


def _field_for(key: str) -> str | None:
    lowered = key.lower()
    for name, info in Settings.model_fields.items():
        if lowered == name:
            return name
        alias = info.validation_alias
        if isinstance(alias, AliasChoices) and any(
            isinstance(c, str) and c.lower() == lowered for c in alias.choices
        ):
            return name
    return None
