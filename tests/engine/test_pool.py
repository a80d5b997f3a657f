"""``shared_map``: the serial result, whatever shares the work, and work really shared."""

from __future__ import annotations

import os
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costwarden.engine.pool import _chunks, shared_map


def square(value: int) -> int:
    return value * value


def slow_pid(_: int) -> int:
    time.sleep(0.01)
    return os.getpid()


def refuse(value: int) -> int:
    if value == 7:
        raise ValueError("seven")
    return value


@pytest.mark.parametrize(
    ("count", "jobs"),
    [(0, 2), (1, 2), (2, 2), (50, 1), (50, 2), (50, 3), (500, 4)],
)
def test_results_are_the_serial_results_in_order(count, jobs):
    items = list(range(count))
    weights = [1 + (i * 37) % 11 for i in items]
    assert shared_map(square, items, weights, jobs) == [i * i for i in items]


def test_this_process_and_a_worker_both_take_a_share():
    pids = shared_map(slow_pid, list(range(40)), [1] * 40, 2)
    assert len(pids) == 40
    assert os.getpid() in pids
    assert len(set(pids)) == 2


def test_a_worker_that_fails_fails_the_map():
    with pytest.raises(ValueError, match="seven"):
        shared_map(refuse, list(range(64)), [1] * 64, 2)


def test_a_process_running_threads_starts_its_workers_fresh():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert shared_map(square, list(range(40)), [1] * 40, 2) == [i * i for i in range(40)]
    finally:
        stop.set()
        other.join()


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=300), st.integers(min_value=1, max_value=64))
def test_chunks_cover_every_item_once_in_order(weights, count):
    chunks = _chunks(weights, count)
    assert [i for start, stop in chunks for i in range(start, stop)] == list(range(len(weights)))
    assert all(stop > start for start, stop in chunks)
