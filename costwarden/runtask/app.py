"""The ASGI app: ``POST /runtask``, ``GET /healthz``, ``GET /metrics``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from costwarden._version import __version__
from costwarden.runtask import signature
from costwarden.runtask.client import TerraformCloud
from costwarden.runtask.journal import Entry, Journal, JournalError
from costwarden.runtask.metrics import ServerMetrics
from costwarden.runtask.request import BadRequestError, parse_request
from costwarden.runtask.settings import ServeSettings
from costwarden.runtask.worker import Scanner, Worker

log = logging.getLogger("costwarden.serve")

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    408: "Request Timeout",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    503: "Service Unavailable",
}


def _error(status: int, detail: str) -> JSONResponse:
    title = TITLES.get(status, "Unprocessable Entity")
    return JSONResponse(
        {"errors": [{"status": str(status), "title": title, "detail": detail}]},
        status_code=status,
        media_type="application/vnd.api+json",
    )


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BadRequestError(413, f"request body over {limit} bytes")
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise BadRequestError(413, f"request body over {limit} bytes")
    return bytes(chunks)


def create_app(settings: ServeSettings, scanner: Scanner, journal: Journal | None = None) -> Starlette:
    metrics = ServerMetrics()
    journal = journal or Journal(settings.journal)
    state: dict[str, Worker] = {}

    async def runtask(request: Request) -> Response:
        try:
            response = await _accept(request)
        except BadRequestError as exc:
            log.warning("refused a run task request: %d %s", exc.status, exc.detail)
            response = _error(exc.status, exc.detail)
        metrics.request(response.status_code)
        return response

    async def _accept(request: Request) -> Response:
        try:
            async with asyncio.timeout(settings.body_seconds):
                body = await _body(request, settings.max_body_bytes)
        except TimeoutError:
            raise BadRequestError(408, f"the request body took longer than {settings.body_seconds:g} s") from None
        key = settings.hmac_key.reveal() if settings.hmac_key else None
        signature.verify(body, request.headers.get(signature.HEADER, ""), key)
        media_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        if media_type not in ("application/json", "application/vnd.api+json"):
            raise BadRequestError(415, f"unsupported content type {media_type!r}")
        task = parse_request(body)
        if task.is_verification:
            log.info("answered a run task verification request")
            return Response(status_code=200)
        if not settings.allows(task.task_result_callback_url):
            raise BadRequestError(
                422, "task_result_callback_url is not on a configured TFC host; nothing will be sent there"
            )
        try:
            accepted = await asyncio.to_thread(journal.accept, task.task_result_id, body)
        except JournalError as exc:  # a full disk: HCP Terraform retries a 5xx; nothing is lost
            metrics.journal_errors += 1
            log.error("task %s refused: %s", task.task_result_id, exc)
            raise BadRequestError(503, "the journal cannot take the task now; try again") from None
        if accepted:
            state["worker"].submit(Entry(task.task_result_id, body, time.time()))
            log.info("accepted task %s (run %s, stage %s)", task.task_result_id, task.run_id or "-", task.stage)
        else:
            log.info("task %s was already accepted", task.task_result_id)
        return Response(status_code=200)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    async def prometheus(_: Request) -> Response:
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.timeout_seconds, trust_env=False) as http:
            worker = Worker(settings, journal, TerraformCloud(settings, http), scanner, metrics)
            state["worker"] = worker
            await worker.start()
            try:
                yield
            finally:
                await worker.stop()
                journal.close()

    routes = [
        Route(settings.path, runtask, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", prometheus, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
