"""``GET /metrics``: Prometheus text exposition, written by hand (four series need no library)."""

from __future__ import annotations

import bisect
import threading
from collections import Counter

BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


class ServerMetrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.verdicts: Counter[str] = Counter()
        self.callback_retries = 0
        self._buckets = [0] * len(BUCKETS)
        self._count = 0
        self._sum = 0.0
        self.queue_depth = 0
        self.journal_errors = 0
        self.internal_errors = 0

    def request(self, code: int) -> None:
        with self._lock:
            self.requests[str(code)] += 1

    def verdict(self, status: str, seconds: float) -> None:
        with self._lock:
            self.verdicts[status] += 1
            self._count += 1
            self._sum += seconds
            index = bisect.bisect_left(BUCKETS, seconds)
            for i in range(index, len(BUCKETS)):
                self._buckets[i] += 1

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP costwarden_runtask_requests_total Run task requests answered, by HTTP status.",
                "# TYPE costwarden_runtask_requests_total counter",
                *(f'costwarden_runtask_requests_total{{code="{c}"}} {n}' for c, n in sorted(self.requests.items())),
                "# HELP costwarden_runtask_verdicts_total Final task results sent, by status.",
                "# TYPE costwarden_runtask_verdicts_total counter",
                *(f'costwarden_runtask_verdicts_total{{status="{s}"}} {n}' for s, n in sorted(self.verdicts.items())),
                "# HELP costwarden_runtask_task_seconds Time from accepting a task to its final callback.",
                "# TYPE costwarden_runtask_task_seconds histogram",
                *(
                    f'costwarden_runtask_task_seconds_bucket{{le="{bound}"}} {n}'
                    for bound, n in zip(BUCKETS, self._buckets, strict=True)
                ),
                f'costwarden_runtask_task_seconds_bucket{{le="+Inf"}} {self._count}',
                f"costwarden_runtask_task_seconds_sum {self._sum:.6f}",
                f"costwarden_runtask_task_seconds_count {self._count}",
                "# HELP costwarden_runtask_queue_depth Accepted tasks not yet finished.",
                "# TYPE costwarden_runtask_queue_depth gauge",
                f"costwarden_runtask_queue_depth {self.queue_depth}",
                "# HELP costwarden_runtask_journal_errors_total Requests refused (503): the journal took no write.",
                "# TYPE costwarden_runtask_journal_errors_total counter",
                f"costwarden_runtask_journal_errors_total {self.journal_errors}",
                "# HELP costwarden_runtask_internal_errors_total Tasks failed by an internal error (a bug).",
                "# TYPE costwarden_runtask_internal_errors_total counter",
                f"costwarden_runtask_internal_errors_total {self.internal_errors}",
            ]
        return "\n".join(lines) + "\n"
