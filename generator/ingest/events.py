"""大事记: month headings and day entries → dated Events.

Recognised lines:

- month heading: ``2021年3月``, ``2024 年 4 月``, ``3月`` (year from the previous
  heading or the issue's ``year``; a month smaller than the previous one moves
  to the next year);
- day entry: ``2日 text``, ``24 日 text``, a range ``7-11日`` / ``26-27 日`` /
  ``30日-5月2日`` (``end_date`` filled), or a full date ``2021年3月2日 text``;
- ``△ text``: a further entry with the date (and end date) of the one before;
- running headers (``兖州区人民政府大事记``, ``【大事记】``, mastheads, issue
  numbers, page numbers) are skipped;
- any other line continues the current entry (wrapped text, also across a
  page break) unless the entry already ended with a full stop and the line
  looks like a colophon (``2021年5月10日出版``, ``主管主办：…``).

Events keep the text without the day prefix or ``△``; wrapped lines are joined
without a space. Lines that fit nowhere become ``event-unparsed`` problems.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from generator.ingest.textutil import PAGE_FURNITURE
from generator.model.models import Event, Problem

Line = tuple[int, str]

_DASH = r"[-－—–~～至到]"
_MONTH_HEADING = re.compile(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月(?:份)?$")
_FULL_DATE_ENTRY = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?![期出])\s*(.*)$")
_DAY_ENTRY = re.compile(
    rf"^(\d{{1,2}})\s*日?\s*{_DASH}\s*(?:(\d{{1,2}})\s*月\s*)?(\d{{1,2}})\s*日(?![期出])\s*(.*)$"
    rf"|^(\d{{1,2}})\s*日(?![期出])\s*(.*)$"
)
_SAME_DAY = re.compile(r"^[△▲]\s*(.*)$")
_RUNNING_HEADER = re.compile(
    r"^【?\s*\S{0,20}大事记\s*】?$|" + PAGE_FURNITURE
)  # running header, section title
_COLOPHON = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*出版|^[\u4e00-\u9fff]{2,8}[：:]")
_SENTENCE_END = ("。", "！", "？", "”", "；", ".", "!", "?")
_LATIN_END = re.compile(r"[A-Za-z]$")
_LATIN_START = re.compile(r"^[A-Za-z]")


@dataclass
class _Entry:
    date: datetime.date
    end: datetime.date | None
    text: str
    line: int


def parse_events(lines: list[Line], year: int | None, id_prefix: str) -> tuple[list[Event], list[Problem]]:
    """Lines of a 大事记 section (1-based line number, text) → events and problems."""
    entries: list[_Entry] = []
    problems: list[Problem] = []
    cur_year, cur_month = year, None
    current: _Entry | None = None  # the entry that the next plain line continues

    def unparsed(line_no: int, text: str, why: str) -> None:
        problems.append(Problem("warning", "event-unparsed", f"大事记：{why}：{text}", line_no))

    def add(
        line_no: int, text: str, rest: str, day: int, end_day: int | None = None, end_month: int | None = None
    ) -> _Entry | None:
        if cur_year is None or cur_month is None:
            unparsed(line_no, text, "日期前没有年月标题")
            return None
        try:
            start = datetime.date(cur_year, cur_month, day)
            end = None
            if end_day is not None:
                month = end_month or cur_month
                end = datetime.date(cur_year + (month < cur_month), month, end_day)
        except ValueError:
            unparsed(line_no, text, "日期无效")
            return None
        if end is not None and end <= start:
            unparsed(line_no, text, "日期范围无效")
            return None
        if entries and start < entries[-1].date:
            problems.append(
                Problem(
                    "warning",
                    "event-date-order",
                    f"大事记：日期早于上一条（{entries[-1].date.isoformat()}）：{text}",
                    line_no,
                )
            )
        entries.append(_Entry(start, end, rest.strip(), line_no))
        return entries[-1]

    for line_no, raw in lines:
        text = raw.strip()
        if not text or _RUNNING_HEADER.match(text):
            continue
        heading = _MONTH_HEADING.match(text)
        if heading:
            month = int(heading.group(2))
            if not 1 <= month <= 12:
                unparsed(line_no, text, "月份无效")
                continue
            if heading.group(1):
                cur_year = int(heading.group(1))
            elif cur_year is not None and cur_month is not None and month < cur_month:
                cur_year += 1
            cur_month = month
            current = None
            continue
        full = _FULL_DATE_ENTRY.match(text)
        if full and not _COLOPHON.match(text):
            cur_year, cur_month = int(full.group(1)), int(full.group(2))
            current = add(line_no, text, full.group(4), int(full.group(3)))
            continue
        day = _DAY_ENTRY.match(text)
        if day and not _continues(current, day):
            if day.group(5):
                current = add(line_no, text, day.group(6), int(day.group(5)))
            else:
                end_month = int(day.group(2)) if day.group(2) else None
                current = add(line_no, text, day.group(4), int(day.group(1)), int(day.group(3)), end_month)
            continue
        same = _SAME_DAY.match(text)
        if same:
            if not entries:
                unparsed(line_no, text, "“△”前没有日期")
                continue
            prev = entries[-1]
            entries.append(_Entry(prev.date, prev.end, same.group(1).strip(), line_no))
            current = entries[-1]
            continue
        if current is None:
            unparsed(line_no, text, "不是月份、日期或“△”开头的条目")
            continue
        if current.text.endswith(_SENTENCE_END) and _COLOPHON.match(text):
            unparsed(line_no, text, "条目之后的文字不像续行")
            current = None
            continue
        current.text = _join(current.text, text)

    events: list[Event] = []
    for entry in entries:
        if not entry.text:
            unparsed(entry.line, entry.date.isoformat(), "条目没有内容")
            continue
        events.append(
            Event(
                event_id=f"{id_prefix}-e{len(events) + 1:03d}",
                date=entry.date.isoformat(),
                text=entry.text,
                end_date=entry.end.isoformat() if entry.end else "",
                line=entry.line,
            )
        )
    return events, problems


def _continues(current: _Entry | None, day: re.Match[str]) -> bool:
    """A line starting like an earlier day is the rest of an unfinished entry (…自 / 5日起…)."""
    if current is None or not current.text or current.text.endswith(_SENTENCE_END):
        return False
    return int(day.group(5) or day.group(1)) < current.date.day


def _join(left: str, right: str) -> str:
    if not left:
        return right
    if _LATIN_END.search(left) and _LATIN_START.match(right):
        return f"{left} {right}"
    return left + right
