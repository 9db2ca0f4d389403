"""Chinese dates → ISO ``YYYY-MM-DD``: 2021年3月26日, 2024 年 4 月 7 日, 二〇二一年四月十一日, and
二0一二年四月二十七日 (the digit 0 typed for 〇)."""

from __future__ import annotations

import datetime
import re

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "o": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "两": 2,
    "0": 0,  # 二0一二年: the digit 0 typed for 〇 among Chinese numerals
}
_CN = "〇零○Ｏ一二三四五六七八九十两"
_NUM = rf"(?:\d{{1,4}}|[{_CN}Oo0]{{1,4}})"

DATE_RE = re.compile(rf"({_NUM})\s*年\s*({_NUM})\s*月\s*({_NUM})\s*日")
MONTH_DAY_RE = re.compile(rf"({_NUM})\s*月\s*({_NUM})\s*日")
# A line that is only a date (a signing date, 成文日期).
DATE_LINE_RE = re.compile(rf"^\s*{DATE_RE.pattern}\s*$")


def cn_number(text: str) -> int | None:
    """'2021' / '二〇二一' / '十一' / '三十一' / '２４' → int; None when not a number."""
    text = text.strip().translate(_FULLWIDTH)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        if tens and tens not in _CN_DIGITS or units and units not in _CN_DIGITS:
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)
    if all(ch in _CN_DIGITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    return None


def iso_date(year: int | None, month: int | None, day: int | None) -> str:
    """ISO date, or "" when the parts do not form a real date."""
    if not year or not month or not day:
        return ""
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return ""


def parse_date(text: str, year: int | None = None) -> str:
    """The first date in ``text`` as ISO; a month/day without year takes ``year``. "" if none."""
    text = text.translate(_FULLWIDTH)
    match = DATE_RE.search(text)
    if match:
        found_year = cn_number(match.group(1))
        if found_year and 1900 <= found_year <= 2199:
            return iso_date(found_year, cn_number(match.group(2)), cn_number(match.group(3)))
    if year:
        match = MONTH_DAY_RE.search(text)
        if match:
            return iso_date(year, cn_number(match.group(1)), cn_number(match.group(2)))
    return ""


def is_date_line(text: str) -> bool:
    """True when the line holds nothing but a full date (e.g. a signing date)."""
    if "年" not in text or "日" not in text:  # what DATE_LINE_RE needs, checked first: most lines fail here
        return False
    text = text.translate(_FULLWIDTH)
    return bool(DATE_LINE_RE.match(text)) and bool(parse_date(text))
