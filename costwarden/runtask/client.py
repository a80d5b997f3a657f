"""Talking back to HCP Terraform: fetch the plan JSON, PATCH the task result.

The run token goes only to the configured Terraform Cloud origins. The plan endpoint answers
with a redirect to a short-lived pre-authenticated URL, usually on another host: that request
is made without the token.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urljoin

import httpx

from costwarden.runtask.settings import Origin, ServeSettings

log = logging.getLogger("costwarden.serve")

JSON_API = "application/vnd.api+json"
MAX_REDIRECTS = 5


class TaskFailedError(Exception):
    """Why a task cannot be checked; the message goes to the run as a ``failed`` result."""


class CallbackRejectedError(Exception):
    """HCP Terraform answered the callback with a 4xx: sending it again will not help."""


class CallbackUnreachableError(Exception):
    """Every attempt failed with a 5xx or a connection error."""


class TerraformCloud:
    def __init__(self, settings: ServeSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http

    def _headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Content-Type": JSON_API, "Accept": f"{JSON_API}, */*"}

    async def fetch_plan(self, url: str, token: str) -> bytes:
        if not self._settings.allows(url):
            raise TaskFailedError(
                f"refused to fetch the plan from {Origin.of(url) or url!s}: not a configured TFC host"
            )
        origin = Origin.of(url)
        waited = 0.0
        delay = min(1.0, self._settings.plan_wait_seconds / 20)
        redirects = 0
        while True:
            same_origin = Origin.of(url) == origin
            headers = self._headers(token) if same_origin else {}
            try:
                response = await self._http.get(url, headers=headers, follow_redirects=False)
            except httpx.HTTPError as exc:
                raise TaskFailedError(f"cannot fetch the plan: {type(exc).__name__}") from None
            if response.status_code == 204 and same_origin:
                if waited >= self._settings.plan_wait_seconds:
                    raise TaskFailedError(f"the plan JSON was not ready after {waited:.0f} s")
                await asyncio.sleep(delay)
                waited += delay
                continue
            if response.is_redirect and redirects < MAX_REDIRECTS:
                location = response.headers.get("location", "")
                if not location:
                    raise TaskFailedError("the plan endpoint redirected without a location")
                url = urljoin(url, location)
                redirects += 1
                continue
            if response.status_code == 422:
                raise TaskFailedError("HCP Terraform has no JSON plan for this run (Terraform older than 0.12?)")
            if response.status_code != 200:
                raise TaskFailedError(f"the plan endpoint answered HTTP {response.status_code}")
            return response.content

    async def patch(self, url: str, token: str, body: dict[str, Any]) -> None:
        """PATCH the task result, retrying 5xx and connection errors with exponential backoff."""
        if not self._settings.allows(url):
            raise CallbackRejectedError(f"callback host {Origin.of(url) or url!s} is not a configured TFC host")
        content = json.dumps(body, separators=(",", ":")).encode()
        delay = self._settings.backoff_seconds
        problem = ""
        for attempt in range(1, self._settings.callback_attempts + 1):
            try:
                response = await self._http.patch(url, content=content, headers=self._headers(token))
            except httpx.HTTPError as exc:
                problem = type(exc).__name__
            else:
                if response.status_code < 300:
                    return
                if response.status_code < 500 and response.status_code != 429:
                    raise CallbackRejectedError(f"the callback was refused with HTTP {response.status_code}")
                problem = f"HTTP {response.status_code}"
            log.warning("callback attempt %d failed (%s)", attempt, problem)
            if attempt < self._settings.callback_attempts:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        raise CallbackUnreachableError(f"callback failed {self._settings.callback_attempts} times; last: {problem}")
