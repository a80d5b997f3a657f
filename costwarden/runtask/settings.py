"""What a ``costwarden serve`` process is configured with. Secrets are held, never shown."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from costwarden.errors import ConfigError
from costwarden.model import Severity

DEFAULT_HOST = "app.terraform.io"


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Origin:
        """``app.terraform.io`` (https implied), ``tfe.example.com:8443`` or ``http://127.0.0.1:8080``."""
        parts = urlsplit(text if "://" in text else f"https://{text}")
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
            raise ConfigError(f"not a Terraform Cloud host: {text!r}")
        return cls(parts.scheme, parts.hostname.lower(), parts.port or (443 if parts.scheme == "https" else 80))

    @classmethod
    def of(cls, url: str) -> Origin | None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        return cls(parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80))

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


class Secret:
    """A value that prints as ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: bytes) -> None:
        self._value = value

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class ServeSettings:
    journal: Path
    hmac_key: Secret | None = None
    tfc_hosts: tuple[Origin, ...] = (Origin("https", DEFAULT_HOST, 443),)
    path: str = "/runtask"
    organizations: frozenset[str] = frozenset()
    """Empty: any organization."""
    workspaces: frozenset[str] = frozenset()
    """Empty: any workspace."""
    max_body_bytes: int = 1 << 20
    workers: int = 2
    fail_on: Severity | None = Severity.HIGH
    advisory_fail_on: Severity | None = Severity.HIGH
    """Advisory tasks never block a run; teams often want them to report ``failed`` earlier."""
    fail_on_cost: float | None = None
    fail_on_unevaluated: bool = False
    details_url: str = ""
    """``url`` on the callback: a template with ``{run_id}``, ``{task_result_id}``, ``{workspace}``; empty: the run."""
    progress_seconds: float = 240.0
    """How often a ``running`` update goes out while a task works (HCP Terraform wants one every 10 minutes)."""
    plan_wait_seconds: float = 30.0
    """How long to wait for a plan that answers 204 (not finished yet)."""
    callback_attempts: int = 8
    backoff_seconds: float = 0.5
    deadline_seconds: float = 3600.0
    """HCP Terraform gives up on a task after 60 minutes; so does the journal."""
    timeout_seconds: float = 30.0
    max_plan_bytes: int = 256 << 20
    """A larger plan fails its task, never read whole into memory."""
    plan_deadline_seconds: float = 300.0
    """The whole plan download, however slowly it trickles in; past it the task fails."""
    max_connections: int = 200
    """Connections served at once (uvicorn's ``limit_concurrency``); past it, new ones get 503."""
    body_seconds: float = 10.0
    """How long a request body may take to arrive (a slow client is cut off with 408)."""

    def allows(self, url: str) -> bool:
        return Origin.of(url) in self.tfc_hosts

    def threshold(self, enforcement_level: str) -> Severity | None:
        return self.advisory_fail_on if enforcement_level == "advisory" else self.fail_on
