"""Settings from THRESHOLD_* environment variables. Build one per app; there is no module-level instance."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="THRESHOLD_", env_ignore_empty=True, extra="ignore")

    content_dir: Path = Field(REPO_ROOT, description="Folder holding rules/ and dialogues/.")
    session_store: str = Field("sqlite:///var/threshold.db", description="sqlite:///PATH or redis://host:port/db")
    data_dir: Path = Field(Path("var"), description="Where the app may write files (screenshots, the default db).")
    log_level: str = Field("INFO", description="Python logging level name.")
    session_ttl_seconds: int = Field(7 * 24 * 3600, ge=60, description="Idle time before an assessment expires.")
    # Security (issue 9, docs/security.md).
    allowed_origins: str = Field("", description="Comma-separated origins that may embed the widget and call the API.")
    rate_limit: str = Field(
        "120/minute",
        pattern=r"^\s*(off|\d+\s*/\s*(second|minute|hour|day))\s*$",
        description="Requests per client, e.g. 60/minute; 'off' disables it.",
    )
    admin_token: str = Field("", description="Bearer token for /admin; the admin endpoints are off when empty.")
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="Largest request body accepted (413 beyond).")
    trusted_proxies: str = Field("", description="Comma-separated proxy IPs/networks whose X-Forwarded-* we believe.")
    purge_interval_seconds: int = Field(600, ge=1, description="How often expired sessions are purged.")

    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]
