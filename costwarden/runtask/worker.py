"""Works through accepted tasks: running, fetch the plan, scan, the final callback, journal done."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from costwarden.model import ScanResult
from costwarden.runtask import result as results
from costwarden.runtask.client import CallbackRejectedError, CallbackUnreachableError, TaskFailedError, TerraformCloud
from costwarden.runtask.journal import Entry, Journal, JournalError
from costwarden.runtask.metrics import ServerMetrics
from costwarden.runtask.request import BadRequestError, TaskRequest, parse_request
from costwarden.runtask.settings import ServeSettings

log = logging.getLogger("costwarden.serve")

Scanner = Callable[[bytes], ScanResult]
Verdict = tuple[str, str, list[dict[str, Any]]]


class Worker:
    def __init__(
        self,
        settings: ServeSettings,
        journal: Journal,
        cloud: TerraformCloud,
        scanner: Scanner,
        metrics: ServerMetrics,
    ) -> None:
        self._settings = settings
        self._journal = journal
        self._cloud = cloud
        self._scanner = scanner
        self._metrics = metrics
        self._queue: asyncio.Queue[Entry] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._in_flight = 0

    async def start(self) -> None:
        for entry in self._journal.pending():
            log.info("resuming task %s from the journal", entry.task_result_id)
            self.submit(entry)
        self._tasks = [asyncio.create_task(self._consume()) for _ in range(self._settings.workers)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def submit(self, entry: Entry) -> None:
        self._queue.put_nowait(entry)
        self._metrics.queue_depth = self._queue.qsize() + self._in_flight

    async def _consume(self) -> None:
        while True:
            entry = await self._queue.get()
            self._in_flight += 1
            try:
                await self._run(entry)
            except Exception:  # one task's bug must not stop the worker
                log.exception("task %s failed unexpectedly; it stays in the journal", entry.task_result_id)
            finally:
                self._in_flight -= 1
                self._metrics.queue_depth = self._queue.qsize() + self._in_flight

    async def _run(self, entry: Entry) -> None:
        try:
            request = parse_request(entry.body)
        except BadRequestError as exc:  # journalled bodies were parsed before; a corrupt row is dropped
            await asyncio.to_thread(self._journal.finish, entry.task_result_id, "invalid", exc.detail)
            return
        if time.time() - entry.accepted_at > self._settings.deadline_seconds:
            log.warning("task %s expired before it finished", entry.task_result_id)
            await asyncio.to_thread(self._journal.finish, entry.task_result_id, "expired", "")
            return
        try:
            try:
                status, text, details = await self._check(request)
            except Exception as exc:  # a bug, or input nothing foresaw: the run still gets a verdict
                self._metrics.internal_errors += 1
                log.exception("task %s: internal error while checking the plan", entry.task_result_id)
                status, details = "failed", []
                text = (
                    f"costwarden could not check this plan: internal error ({type(exc).__name__}); see the server log"
                )
            url = self._details_url(request)
            await self._cloud.patch(
                request.task_result_callback_url,
                request.access_token,
                results.callback_body(status, text, url, details if request.outcomes else None),
            )
        except CallbackRejectedError as exc:
            log.error("task %s: %s; giving up", entry.task_result_id, exc)
            await asyncio.to_thread(self._journal.finish, entry.task_result_id, "rejected", str(exc))
            return
        except CallbackUnreachableError as exc:
            log.error("task %s: %s; will try again", entry.task_result_id, exc)
            asyncio.get_running_loop().call_later(self._settings.backoff_seconds * 10, self.submit, entry)
            return
        await self._finish(entry, status)
        self._metrics.verdict(status, time.time() - entry.accepted_at)
        log.info("task %s run %s: %s", request.task_result_id, request.run_id or "-", status)

    async def _finish(self, entry: Entry, status: str) -> None:
        """Mark the task done; a journal that takes no write (a full disk) is tried again for a
        while, since a task left pending would be sent a second verdict after a restart."""
        for attempt in range(10):
            try:
                await asyncio.to_thread(self._journal.finish, entry.task_result_id, "done", status)
                return
            except JournalError as exc:
                log.error("task %s: verdict sent, but %s (attempt %d)", entry.task_result_id, exc, attempt + 1)
                await asyncio.sleep(min(2**attempt, 30) * self._settings.backoff_seconds)

    async def _check(self, request: TaskRequest) -> Verdict:
        settings = self._settings
        if settings.organizations and request.organization_name not in settings.organizations:
            return "failed", f"organization {request.organization_name!r} is not allowed on this costwarden server", []
        if settings.workspaces and request.workspace_name not in settings.workspaces:
            return "failed", f"workspace {request.workspace_name!r} is not allowed on this costwarden server", []
        if request.stage == "pre_plan" or request.plan_json_api_url is None:
            return "passed", "costwarden checks plans: nothing to check before the plan exists", []
        if not settings.allows(request.plan_json_api_url):
            return (
                "failed",
                "costwarden refused to fetch the plan: plan_json_api_url is not on a configured TFC host",
                [],
            )
        running = results.callback_body("running", "costwarden is checking the plan")
        await self._cloud.patch(request.task_result_callback_url, request.access_token, running)
        progress = asyncio.create_task(self._progress(request))
        try:
            plan = await self._cloud.fetch_plan(request.plan_json_api_url, request.access_token)
            scanned = await asyncio.to_thread(self._scanner, plan)
        except TaskFailedError as exc:
            return "failed", f"costwarden: {exc}", []
        finally:
            progress.cancel()
        threshold = settings.threshold(request.enforcement_level)
        status = results.verdict(scanned, threshold, settings.fail_on_cost, settings.fail_on_unevaluated)
        return status, results.message(scanned, threshold), results.outcomes(scanned, threshold, settings.fail_on_cost)

    async def _progress(self, request: TaskRequest) -> None:
        """A ``running`` update every ``progress_seconds`` so HCP Terraform does not time the task out."""
        started = time.monotonic()
        while True:
            await asyncio.sleep(self._settings.progress_seconds)
            minutes = (time.monotonic() - started) / 60
            body = results.callback_body("running", f"costwarden is still checking the plan ({minutes:.1f} min)")
            try:
                await self._cloud.patch(request.task_result_callback_url, request.access_token, body)
            except (CallbackRejectedError, CallbackUnreachableError) as exc:
                log.warning("task %s: progress update failed: %s", request.task_result_id, exc)

    def _details_url(self, request: TaskRequest) -> str:
        template = self._settings.details_url
        if not template:
            return request.run_app_url
        return template.format(
            run_id=request.run_id, task_result_id=request.task_result_id, workspace=request.workspace_name
        )
