"""The run task request HCP Terraform POSTs: parsed, checked, and nothing else."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PAYLOAD_VERSION = 1
STAGES = ("pre_plan", "post_plan", "pre_apply", "post_apply")
PLAN_STAGES = frozenset(STAGES) - {"pre_plan"}
VERIFICATION_TOKEN = "test-token"
"""The nonsense token HCP Terraform sends when a run task is created: answer 200, never call back."""


class BadRequestError(Exception):
    """A request costwarden will not accept; ``status`` is the HTTP answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True, slots=True)
class TaskRequest:
    stage: str
    access_token: str
    task_result_id: str
    task_result_callback_url: str
    enforcement_level: str
    outcomes: bool
    plan_json_api_url: str | None = None
    organization_name: str = ""
    workspace_name: str = ""
    run_id: str = ""
    run_app_url: str = ""

    @property
    def is_verification(self) -> bool:
        return self.access_token == VERIFICATION_TOKEN

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"TaskRequest(task_result_id={self.task_result_id!r}, stage={self.stage!r}, run_id={self.run_id!r})"


def _text(payload: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = payload.get(key)
    if value is None:
        if required:
            raise BadRequestError(422, f"missing required field {key!r}")
        return ""
    if not isinstance(value, str) or (required and not value):
        raise BadRequestError(422, f"field {key!r} must be a non-empty string")
    if key.endswith("_url") and any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise BadRequestError(422, f"field {key!r} holds whitespace or control characters: not a URL")
    return value


def parse_request(body: bytes) -> TaskRequest:
    """The request, or ``BadRequestError`` naming the first thing wrong with it."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise BadRequestError(400, "request body is nested too deeply") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise BadRequestError(400, f"request body is not JSON{line}") from None
    if not isinstance(payload, dict):
        raise BadRequestError(400, "request body must be a JSON object")
    version = payload.get("payload_version")
    if version is None:
        raise BadRequestError(422, "missing required field 'payload_version'")
    if type(version) is not int or version != PAYLOAD_VERSION:
        raise BadRequestError(422, f"unsupported payload_version {version!r} (only {PAYLOAD_VERSION} is supported)")
    stage = _text(payload, "stage", required=True).replace("-", "_")  # very old TFE spelled it post-plan
    if stage not in STAGES:
        raise BadRequestError(422, f"unknown stage {stage!r} (one of: {', '.join(STAGES)})")
    capabilities = payload.get("capabilities")
    if capabilities is None:
        capabilities = {}
    if not isinstance(capabilities, dict):
        raise BadRequestError(422, "field 'capabilities' must be an object")
    enforcement = _text(payload, "task_result_enforcement_level") or "mandatory"
    if enforcement not in ("mandatory", "advisory"):
        raise BadRequestError(422, f"unknown task_result_enforcement_level {enforcement!r}")
    access_token = _text(payload, "access_token", required=True)
    verification = access_token == VERIFICATION_TOKEN
    return TaskRequest(
        stage=stage,
        access_token=access_token,
        task_result_id=_text(payload, "task_result_id", required=not verification),
        task_result_callback_url=_text(payload, "task_result_callback_url", required=not verification),
        enforcement_level=enforcement,
        outcomes=capabilities.get("outcomes") is True,
        plan_json_api_url=_text(payload, "plan_json_api_url", required=stage in PLAN_STAGES and not verification)
        or None,
        organization_name=_text(payload, "organization_name"),
        workspace_name=_text(payload, "workspace_name"),
        run_id=_text(payload, "run_id"),
        run_app_url=_text(payload, "run_app_url"),
    )
