"""Periods, their baselines and their time buckets, in the deployment's local time.

A period is half-open, [start, end). Its baseline is the period of equal length just before it, and
each time bucket (a week, a month) is compared with the same window one period length earlier, so a
bucket and its baseline always have the same length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS = tuple(f"{h:02d}" for h in range(24))


@dataclass(frozen=True)
class Period:
    start: datetime  # aware
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("period bounds must be aware datetimes")
        if self.end <= self.start:
            raise ValueError("a period must end after it starts")

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def previous(self) -> Period:
        return Period(self.start - self.length, self.start)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Bucket:
    label: str
    start: datetime
    end: datetime


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def parse_bound(text: str, zone: ZoneInfo) -> datetime:
    """'2026-11-01' is that local midnight; a full ISO time without a zone is local time too."""
    text = text.strip()
    try:
        if len(text) == 10:
            return local_midnight(date.fromisoformat(text), zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD) or ISO time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def last_days(days: int, zone: ZoneInfo, now: datetime | None = None) -> Period:
    """The last `days` complete local days: complete days keep figures stable while a day goes on."""
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    return Period(local_midnight(today - timedelta(days=days), zone), local_midnight(today, zone))


def week_buckets(period: Period, zone: ZoneInfo) -> list[Bucket]:
    """Seven-day windows from the period's start (the last one may be shorter), by local calendar day."""
    buckets: list[Bucket] = []
    first = period.start.astimezone(zone).date()
    index = 0
    while True:
        start = max(period.start, local_midnight(first + timedelta(days=7 * index), zone))
        if start >= period.end:
            return buckets
        end = min(period.end, local_midnight(first + timedelta(days=7 * (index + 1)), zone))
        buckets.append(Bucket(start.astimezone(zone).date().isoformat(), start, end))
        index += 1


def month_buckets(period: Period, zone: ZoneInfo) -> list[Bucket]:
    """Local calendar months, cut to the period."""
    buckets: list[Bucket] = []
    day = period.start.astimezone(zone).date().replace(day=1)
    while True:
        following = (day + timedelta(days=32)).replace(day=1)
        start = max(period.start, local_midnight(day, zone))
        end = min(period.end, local_midnight(following, zone))
        if start >= period.end:
            return buckets
        if end > start:
            buckets.append(Bucket(day.strftime("%Y-%m"), start, end))
        day = following


def bucket_of(moment: datetime, buckets: list[Bucket], shift: timedelta = timedelta(0)) -> str | None:
    """The label of the bucket holding `moment + shift` (a baseline moment is shifted by one period)."""
    moment = moment + shift
    for bucket in buckets:
        if bucket.start <= moment < bucket.end:
            return bucket.label
    return None


def hour_of_week(moment: datetime, zone: ZoneInfo) -> tuple[str, str]:
    local = moment.astimezone(zone)
    return WEEKDAYS[local.weekday()], HOURS[local.hour]
