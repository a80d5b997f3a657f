"""How many times a month a CronJob schedule fires (a 30.42-day month, minute by minute)."""

from __future__ import annotations

from collections.abc import Iterable

_MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}  # fmt: skip
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_MONTH_DAYS = (31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
DAYS_PER_MONTH = 730 / 24


def _field(text: str, low: int, high: int) -> set[int] | None:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            return None
        if body in ("*", "?"):
            start, stop = low, high
        elif "-" in body:
            first, last = body.split("-", 1)
            start, stop = int(first), int(last)
        else:
            start = int(body)
            stop = high if step_text else start
        if start < low or stop > high or start > stop:
            return None
        values.update(range(start, stop + 1, step))
    return values


def runs_per_month(schedule: str) -> float | None:
    """Runs in an average month; ``None`` for a schedule this does not understand."""
    text = _MACROS.get(schedule.strip(), schedule.strip())
    fields = text.split()
    if len(fields) != 5:
        return None
    try:
        parsed = [_field(f, *_RANGES[i]) for i, f in enumerate(fields)]
    except ValueError:
        return None
    if any(p is None for p in parsed):
        return None
    minutes, hours, days, months, weekdays = (p or set() for p in parsed)
    weekdays = {0 if day == 7 else day for day in weekdays}
    day_star, weekday_star = fields[2] in ("*", "?"), fields[4] in ("*", "?")
    month_share = len(months) / 12
    by_weekday = len(weekdays) / 7 * DAYS_PER_MONTH
    by_date = _average(min(len([d for d in days if d <= n]), n) for n in _MONTH_DAYS)
    # with both day fields restricted, cron fires when either matches
    if day_star and weekday_star:
        matched = DAYS_PER_MONTH
    elif day_star:
        matched = by_weekday
    elif weekday_star:
        matched = by_date
    else:
        matched = by_date + by_weekday - by_date * len(weekdays) / 7
    return len(minutes) * len(hours) * matched * month_share


def _average(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items)
