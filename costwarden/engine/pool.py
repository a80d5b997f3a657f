"""``shared_map``: a function over many items, in this process and a pool of others at once.

The items are cut into chunks of about equal weight, in order. Worker processes take chunks
from the front; this process takes them from the back, each one no worker has started yet, and
so sends nothing back and forth for its share. The results come back in the order of the items
whatever ran them: the same list ``[function(item) for item in items]`` would give.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNKS_PER_PROCESS = 16
"""Enough chunks that one slow chunk leaves the others time to even out."""


def shared_map(
    function: Callable[[Item], Result], items: Sequence[Item], weights: Sequence[int], jobs: int
) -> list[Result]:
    """``function`` over ``items`` with ``jobs`` processes in all (this one among them).

    ``function`` must be picklable (a module-level function or an instance of a module-level
    class). A process with no other thread forks its workers, which start with everything it
    imported; one that runs threads (a server) starts them fresh, since a fork copies any lock
    another thread holds."""
    if jobs < 2 or len(items) < 2:
        return [function(item) for item in items]
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    chunks = _chunks(weights, jobs * CHUNKS_PER_PROCESS)
    forkable = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forkable else "spawn")
    done: list[list[Result] | None] = [None] * len(chunks)
    with ProcessPoolExecutor(min(jobs - 1, len(chunks)), mp_context=context) as pool:
        futures: list[Future[list[Result]]] = [
            pool.submit(_each, function, [items[i] for i in range(start, stop)]) for start, stop in chunks
        ]
        for index in reversed(range(len(chunks))):
            if not futures[index].cancel():
                break  # a worker has it, and every chunk before it
            start, stop = chunks[index]
            done[index] = [function(items[i]) for i in range(start, stop)]
        results: list[Result] = []
        for index, future in enumerate(futures):
            found = done[index]
            results.extend(found if found is not None else future.result())
    return results


def _each(function: Callable[[Item], Result], items: list[Item]) -> list[Result]:
    return [function(item) for item in items]


def _chunks(weights: Sequence[int], count: int) -> list[tuple[int, int]]:
    """``[start, stop)`` ranges of about ``sum(weights) / count`` each, none empty, in order."""
    target = max(1, sum(weights) // max(1, count))
    chunks: list[tuple[int, int]] = []
    start, held = 0, 0
    for index, weight in enumerate(weights):
        held += max(1, weight)
        if held >= target:
            chunks.append((start, index + 1))
            start, held = index + 1, 0
    if start < len(weights):
        chunks.append((start, len(weights)))
    return chunks
