"""Build-time SVG charts: one bar per category, proportional, text shown literally."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from generator.site.charts import bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_bars_are_proportional_to_the_values():
    svg = _svg(bar_chart([("通知", 32), ("意见", 8), ("决定", 0)], "各文种文件数"))
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    assert abs(widths[0] - 4 * widths[1]) <= 2 and widths[2] == 0  # whole pixels
    assert [t.text for t in svg.iter(f"{SVG}text") if "gz-chart__label" in t.get("class")] == [
        "通知",
        "意见",
        "决定",
    ]


def test_labels_are_escaped_and_rows_link_where_asked():
    svg = _svg(bar_chart([("<b>&", 1), ("2021年", 2)], "年份 <x>", {"2021年": "years/2021/"}))
    assert svg.get("aria-label") == "年份 <x>"
    assert [t.text for t in svg.iter(f"{SVG}text") if "gz-chart__label" in t.get("class")][0] == "<b>&"
    assert [a.get("href") for a in svg.iter(f"{SVG}a")] == ["years/2021/"]
