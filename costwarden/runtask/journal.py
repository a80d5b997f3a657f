"""The only state a server keeps: accepted tasks, in SQLite, until their final callback lands.

A task is written (and synced) before the 200 goes out and marked done only after HCP
Terraform took the final callback, so a server killed at any point finishes the task after a
restart. Each replica keeps its own journal on its own volume.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    task_result_id TEXT PRIMARY KEY,
    body BLOB NOT NULL,
    accepted_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    verdict TEXT,
    finished_at REAL
)
"""


@dataclass(frozen=True, slots=True)
class Entry:
    task_result_id: str
    body: bytes
    accepted_at: float


class JournalError(Exception):
    """The journal cannot be opened or written (read-only or full file system)."""


class Journal:
    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._lock = threading.Lock()
            with self._lock:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute("PRAGMA secure_delete=ON")  # a cleared token is overwritten, not freed
                self._db.execute(_SCHEMA)
                self._db.execute("BEGIN IMMEDIATE")  # proves the file system takes writes
                self._db.execute("COMMIT")
            self._restrict()
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the journal {path}: {exc}") from None

    def _restrict(self) -> None:
        """Mode 0600 on the journal and its -wal and -shm files, new or not: they hold run tokens."""
        for suffix in ("", "-wal", "-shm"):
            candidate = Path(f"{self._path}{suffix}")
            if candidate.exists():
                candidate.chmod(0o600)

    def accept(self, task_result_id: str, body: bytes) -> bool:
        """True for a new task; False when HCP Terraform re-sent one already taken."""
        try:
            with self._lock:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO tasks (task_result_id, body, accepted_at) VALUES (?, ?, ?)",
                    (task_result_id, body, time.time()),
                )
                return cursor.rowcount == 1
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the journal: {exc}") from None

    def finish(self, task_result_id: str, state: str, verdict: str) -> None:
        """Done (or given up); the body, with its token, is overwritten (``secure_delete``) and
        the write-ahead log checkpointed and truncated, so no copy of the token stays on disk."""
        try:
            with self._lock:
                self._db.execute(
                    "UPDATE tasks SET state = ?, verdict = ?, finished_at = ?, body = x'' WHERE task_result_id = ?",
                    (state, verdict, time.time(), task_result_id),
                )
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise JournalError(f"cannot write the journal: {exc}") from None

    def pending(self) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT task_result_id, body, accepted_at FROM tasks WHERE state = 'pending' ORDER BY accepted_at"
            ).fetchall()
        return [Entry(row[0], bytes(row[1]), row[2]) for row in rows]

    def state(self, task_result_id: str) -> tuple[str, str | None] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state, verdict FROM tasks WHERE task_result_id = ?", (task_result_id,)
            ).fetchone()
        return (row[0], row[1]) if row else None

    def close(self) -> None:
        with self._lock:
            self._db.close()
