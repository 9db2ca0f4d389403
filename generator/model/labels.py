"""How records are named to readers: dates in Chinese, issue labels. Shared by pages, feed and search."""

from __future__ import annotations

import re

from generator.model.models import Issue

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def cn_date(value: str) -> str:
    """2021-03-26 → 2021年3月26日; anything else is returned as given."""
    m = _ISO_DATE.match(value or "")
    if not m:
        return value or ""
    return f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日"


def issue_label(issue: Issue) -> str:
    """济宁市兖州区人民政府公报 2021年第3-4期"""
    if issue.kind != "issue" or not issue.number:
        return f"{issue.publisher} {issue.year}年文件汇编" if issue.year else f"{issue.publisher} 文件汇编"
    name = issue.title or f"{issue.publisher}公报"
    year = f"{issue.year}年" if issue.year else ""
    return f"{name} {year}第{issue.number}期"
