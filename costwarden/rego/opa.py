"""An OPA server as the Rego engine, through its REST API (verified against the protocol).

Policies are uploaded with ``PUT /v1/policies/{id}`` (their text unchanged: no rewriting of
v0 to v1), data documents with ``PUT /v1/data/{path}``, and every rule is evaluated with
``POST /v1/data/{package path}/{rule}`` and ``{"input": ...}``. Only the standard library:
a dozen lines of HTTP do not earn a dependency.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from costwarden.errors import PolicyError
from costwarden.rego.backend import PolicyFile
from costwarden.rego.policies import PACKAGE


class OpaBackend:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise PolicyError(f"not an OPA URL: {url!r}")
        self._url = url.rstrip("/")
        self._timeout = timeout
        self._packages: list[str] = []

    def _call(self, method: str, path: str, body: bytes | None, content_type: str) -> Any:
        request = urllib.request.Request(
            f"{self._url}{path}", data=body, method=method, headers={"Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise _opa_error(exc) from None
        except OSError as exc:
            raise PolicyError(f"OPA at {self._url} did not answer: {exc}") from None
        return json.loads(payload) if payload.strip() else {}

    def load(self, policies: Sequence[PolicyFile], data: Mapping[str, Any]) -> list[PolicyError]:
        problems: list[PolicyError] = []
        for policy in policies:
            policy_id = urllib.parse.quote(f"costwarden/{policy.path}", safe="")
            try:
                self._call("PUT", f"/v1/policies/{policy_id}", policy.text.encode(), "text/plain")
            except PolicyError as exc:
                problems.append(PolicyError(exc.message, path=exc.path or policy.path, line=exc.line))
                continue
            match = PACKAGE.search(policy.text)
            if match:
                self._packages.append(f"data.{match.group(1)}")
        for key, value in data.items():
            self._call(
                "PUT", f"/v1/data/{urllib.parse.quote(str(key))}", json.dumps(value).encode(), "application/json"
            )
        return problems

    def packages(self) -> list[str]:
        return sorted(set(self._packages))

    def evaluate(self, rule: str, input_document: Any) -> Any:
        return self.evaluate_json(rule, json.dumps(input_document, default=str))

    def evaluate_json(self, rule: str, input_json: str) -> Any:
        path = "/".join(rule.removeprefix("data.").split("."))
        body = ('{"input": ' + input_json + "}").encode()
        return self._call("POST", f"/v1/data/{path}", body, "application/json").get("result")

    def coverage(self) -> Mapping[str, Any] | None:
        return None


def _opa_error(exc: urllib.error.HTTPError) -> PolicyError:
    try:
        body = json.loads(exc.read() or b"{}")
    except json.JSONDecodeError:
        body = {}
    errors = body.get("errors") or []
    if errors and isinstance(errors[0], dict):
        location = errors[0].get("location") or {}
        message = f"{errors[0].get('message', body.get('message', ''))} (column {location.get('col', '?')})"
        return PolicyError(message, path=location.get("file"), line=location.get("row"))
    return PolicyError(f"OPA answered {exc.code}: {body.get('message', exc.reason)}")
