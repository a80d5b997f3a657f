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
                status, location, content = await self._get(url, headers)
            except httpx.HTTPError as exc:
                raise TaskFailedError(f"cannot fetch the plan: {type(exc).__name__}") from None
            if status == 204 and same_origin:
                if waited >= self._settings.plan_wait_seconds:
                    raise TaskFailedError(f"the plan JSON was not ready after {waited:.0f} s")
                await asyncio.sleep(delay)
                waited += delay
                continue
            if status in (301, 302, 303, 307, 308) and redirects < MAX_REDIRECTS:
                if not location:
                    raise TaskFailedError("the plan endpoint redirected without a location")
                url = urljoin(url, location)
                redirects += 1
                continue
            if status == 422:
                raise TaskFailedError("HCP Terraform has no JSON plan for this run (Terraform older than 0.12?)")
            if status != 200:
                raise TaskFailedError(f"the plan endpoint answered HTTP {status}")
            return content

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        """One GET, its body read up to ``max_plan_bytes`` within ``plan_deadline_seconds``."""
        limit = self._settings.max_plan_bytes
        try:
            async with asyncio.timeout(self._settings.plan_deadline_seconds):
                async with self._http.stream("GET", url, headers=headers, follow_redirects=False) as response:
                    declared = response.headers.get("content-length", "")
                    if response.status_code == 200 and declared.isdigit() and int(declared) > limit:
                        raise TaskFailedError(f"the plan is larger than {limit:,} bytes (--max-plan-bytes)")
                    content = bytearray()
                    async for chunk in response.aiter_bytes():
                        content += chunk
                        if len(content) > limit:
                            raise TaskFailedError(f"the plan is larger than {limit:,} bytes (--max-plan-bytes)")
                    return response.status_code, response.headers.get("location", ""), bytes(content)
        except TimeoutError:
            seconds = self._settings.plan_deadline_seconds
            raise TaskFailedError(f"the plan took longer than {seconds:g} s to arrive") from None

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
