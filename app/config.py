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
