"""人事任免: sentences → one Appointment per person and action.

The section is a series of blocks. A block has a date (``2021年3月26日`` or
``二〇二一年三月二十六日``, printed before the decisions or, in a notice,
after them), an authority (``区人民政府决定：``, or a notice's
``现将…人大常委会第…次会议决定任免的…``), optional headings (``任命：``,
``免去：``) and statements ending in ``；`` or ``。``. Lines are joined first,
so statements split across lines or pages (with running headers such as a lone
``人事任免`` in between) come out whole.

Rows (``Appointment``):

- one row per person and per action: ``聘任李大鹏、张海燕为X，聘期三年，
  不再聘任Y职务`` gives 聘任 and 不再聘任 rows for both people;
- ``action`` is one of 任命 (also for ``A任X``, and ``A为X`` under 任命： or without a heading,
  as in a list whose 任命： label was printed after its sentences), 聘任, 兼任, 免去 (also
  ``A的X职务`` under 免去： or without a heading), 解聘, 不再聘任, 不再担任, 自然免除,
  职务名称变更;
- a statement may be a numbered clause (``一、A同志任X；二、…``, several in one paragraph):
  the number is not part of it;
- ``decided_on`` is the block's date: the decision date, or for a notice the
  notice's date printed under the list; ``authority`` is the deciding body as
  printed (``区人民政府``, ``济宁市兖州区十八届人大常委会``), without the meeting;
- ``post`` is the post as printed, without the trailing 职务; a closing parenthesis
  that is a remark (``（列副院长第一位）``, ``（挂职时间一年）``) goes to
  ``note``, one that names the post (``主任（队长）``) stays in ``post``;
- ``note`` holds the remarks after the action in the same statement
  (``聘期三年``, ``原正科级不变``, ``职级待遇不变，行政关系转…``);
- posts without a person: ``原X主任、副主任职务名称变更为Y主任、副主任`` gives
  one 职务名称变更 row per post with ``person`` empty, ``post`` the old post and
  ``note`` the new post (``X主任`` → ``Y主任``, ``X副主任`` → ``Y副主任``);
  ``原A主任，B主任职务自然免除，干部职级待遇不变`` gives one 自然免除 row per
  post, ``note`` the remark.

Statements that fit none of these become ``appointment-unparsed`` problems (the
rows of their clauses read before the failing one are kept); rows left without
a date become ``appointment-undated`` problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.ingest.dates import DATE_LINE_RE, MONTH_DAY_RE, cn_number, iso_date
from generator.ingest.textutil import PAGE_FURNITURE
from generator.model.models import Appointment, Problem

Line = tuple[int, str]

_MONTH_DAY_LINE = re.compile(rf"^\s*{MONTH_DAY_RE.pattern}\s*$")
_SKIP = re.compile(r"^【?\s*人事任免\s*】?$|" + PAGE_FURNITURE)  # running header, section title
_TITLE = re.compile(r"^(\S*?)(?:任免的?\S*名单|任免(?:事项|通知|决定)?)$")
_AUTHORITY = re.compile(
    r"^(?:现将|经|根据)?(\S*?(?:人民代表大会常务委员会|人大常委会|常委会|人民政府|政府|委员会|党组|办公室|"
    r"[省市县区州旗]委|党委|党工委))"
    r"(?:第[\d一二三四五六七八九十百〇零]+次(?:主任|常务)?会议)?(?:研究)?决定"
)
_HEADING = re.compile(r"^(?:决定)?(任命|免去|聘任|解聘|免职|任职|聘用)[：:]\s*(.*)$")
_HEADING_ACTION = {
    "任命": "任命",
    "任职": "任命",
    "聘任": "聘任",
    "聘用": "聘任",
    "免去": "免去",
    "免职": "免去",
    "解聘": "解聘",
}
_CLOSES = "；;。"
_NAME = r"[\u4e00-\u9fff·]{2,4}?"
_PERSONS = rf"{_NAME}(?:、{_NAME})*"
_PLACE_START = r"(?=区|市|县|镇|乡|省|街道|原)"

# Clause forms; "persons" may be missing when the clause continues the statement's subject.
_CLAUSES: list[tuple[str, re.Pattern[str]]] = [
    (
        "appoint",
        re.compile(rf"^(?:决定)?(?P<verb>聘任|任命|聘用|聘)(?P<persons>{_PERSONS})(?:同志)?为(?P<post>.+)$"),
    ),
    ("dismiss", re.compile(r"^(?:同时)?(?P<verb>免去|解聘)其(?P<post>.+?)(?:职务)?$")),
    (
        "dismiss",
        re.compile(
            rf"^(?:同时)?(?P<verb>免去|解聘)(?P<persons>{_PERSONS})(?:同志)?(?:的|{_PLACE_START})(?P<post>.+?)(?:职务)?$"
        ),
    ),
    ("dismiss", re.compile(r"^(?:同时)?(?P<verb>免去|解聘)(?P<post>.+?)(?:职务)?$")),
    (
        "cease",
        re.compile(rf"^(?P<persons>{_PERSONS})(?:同志)?不再(?P<verb>担任|聘任)(?P<post>.+?)(?:职务)?$"),
    ),
    ("cease", re.compile(r"^(?:同时)?不再(?P<verb>担任|聘任)(?P<post>.+?)(?:职务)?$")),
    ("serve", re.compile(rf"^(?P<persons>{_PERSONS})(?:同志)?(?P<verb>任|兼任|担任)(?P<post>.+)$")),
    ("serve", re.compile(r"^(?:同时)?(?P<verb>兼任|担任)(?P<post>.+)$")),
    (
        "heading",
        re.compile(
            rf"^(?P<persons>{_PERSONS})(?:同志)?(?P<link>为|的|{_PLACE_START})(?P<post>.+?)(?:职务)?$"
        ),
    ),
]
# ``A为X`` appoints and ``A的X职务`` dismisses, under a heading or without one (a list whose 任命：
# label was printed after its sentences); a heading of the other kind does not apply to them.
_LINK_ACTIONS = {"为": ("任命", ("任命", "聘任")), "的": ("免去", ("免去", "解聘"))}
# A numbered clause's number: 一、 / （一） / 1. / (1)
_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.、．](?!\d))\s*"
)
_VERB_ACTION = {
    "聘任": "聘任",
    "聘用": "聘任",
    "聘": "聘任",
    "任命": "任命",
    "任": "任命",
    "担任": "任命",
    "兼任": "兼任",
    "免去": "免去",
    "解聘": "解聘",
}
_ACTION_WORD = re.compile(r"聘任|任命|免去|免职|不再|担任|兼任|解聘|辞去|撤销|为")
_RENAME = re.compile(r"^原?(?P<old>.+?)(?:职务)?名称(?:变更|更改|调整|改)为(?P<new>.+?)(?:职务)?$")
_LAPSE = re.compile(r"^原?(?P<posts>.+?)职务(?P<why>随\S*?)?自然免除$")
_REMARK_PAREN = re.compile(r"^(?P<post>.+?)[（(](?P<note>[^（）()]+)[）)]$")
_REMARK_WORDS = re.compile(r"列|挂职|时间|期|试用|兼|位|级|待遇|保留|享受|不变|正式|按")
_BARE_TITLE = re.compile(r"^(?:常务)?副?[\u4e00-\u9fff]{1,4}$")
_TITLE_PREFIXES = ("", "副", "常务副", "正")


@dataclass
class _Block:
    date: str = ""
    authority: str = ""
    heading: str = ""  # action given by a heading such as 任命：
    title_line: str = ""  # printed lines the rows stand under: list title, 决定/notice line, heading
    authority_line: str = ""
    heading_line: str = ""
    rows: list[Appointment] = field(default_factory=list)

    @property
    def basis(self) -> str:
        return " ".join(filter(None, [self.title_line, self.authority_line, self.heading_line]))


def parse_appointments(
    lines: list[Line], year: int | None, id_prefix: str, decided_on: str = "", authority: str = ""
) -> tuple[list[Appointment], list[Problem]]:
    """Lines of a 人事任免 section (1-based line number, text) → appointments and problems.
    ``decided_on`` and ``authority``: what the rows take when the lines do not say (a notice's
    signing date and issuer)."""
    rows: list[Appointment] = []
    problems: list[Problem] = []
    block = _Block(date=decided_on, authority=authority)
    buffer: list[Line] = []  # pieces of the statement being read

    def flush() -> None:
        if buffer:
            for line_no, statement, printed in _statements(buffer):
                first = len(block.rows)
                _parse_statement(statement, line_no, block, problems)
                for row in block.rows[first:]:
                    row.text, row.basis = printed, block.basis
            buffer.clear()

    def close_block() -> None:
        flush()
        rows.extend(block.rows)
        block.rows = []

    for line_no, raw in lines:
        text = raw.strip()
        if not text or _SKIP.match(text):
            continue
        date = _iso_date(text, year)
        if date is not None:
            flush()
            if not date:
                problems.append(
                    Problem("warning", "appointment-unparsed", f"人事任免：日期无效：{text}", line_no)
                )
            elif block.rows and not block.date:
                for row in block.rows:  # a notice's date, printed after its list
                    row.decided_on = date
                close_block()
                block.heading = ""
            else:
                close_block()
                block.date, block.heading, block.heading_line = date, "", ""
            continue
        heading = _HEADING.match(text)
        if text.endswith(("：", ":")) and (heading or _AUTHORITY.match(text) or not buffer):
            flush()
            authority = _AUTHORITY.match(text)
            if heading and not heading.group(2):
                block.heading = _HEADING_ACTION[heading.group(1)]
                block.heading_line = text
            elif authority:
                close_block()
                block.authority, block.heading = authority.group(1), ""
                block.authority_line, block.heading_line = text, ""
            else:
                problems.append(
                    Problem("warning", "appointment-unparsed", f"人事任免：无法识别的标题：{text}", line_no)
                )
            continue
        if heading:
            flush()
            block.heading = _HEADING_ACTION[heading.group(1)]
            block.heading_line = text[: len(text) - len(heading.group(2))]
            text = heading.group(2)
        elif not buffer and not text.endswith(tuple("，,、" + _CLOSES)):
            title = _TITLE.match(text)
            if title:
                close_block()
                block.date = ""
                block.authority = title.group(1) if "任免的" in text else ""
                block.heading = ""
                block.title_line, block.authority_line, block.heading_line = text, "", ""
                continue
        buffer.append((line_no, text))
        if text.endswith(tuple(_CLOSES)):
            flush()
    close_block()

    for row in rows:
        if not row.decided_on:
            problems.append(
                Problem(
                    "warning",
                    "appointment-undated",
                    f"人事任免：没有日期：{row.person}{row.action}{row.post}",
                    row.line,
                )
            )
    for n, row in enumerate(rows, 1):
        row.appointment_id = f"{id_prefix}-a{n:03d}"
    return rows, problems


def _statements(buffer: list[Line]) -> list[tuple[int, str, str]]:
    """Joined lines → (line of first character, statement, statement as printed with its closing mark)
    split at ；and 。 outside brackets."""
    out: list[tuple[int, str, str]] = []
    current, start, depth = "", 0, 0
    for line_no, text in buffer:
        for char in text:
            if not current and not start:
                start = line_no
            if char in "（(":
                depth += 1
            elif char in "）)":
                depth = max(0, depth - 1)
            if char in _CLOSES and depth == 0:
                if current.strip():
                    out.append((start, current.strip(), current.strip() + char))
                current, start = "", 0
                continue
            current += char
    if current.strip():
        out.append((start, current.strip(), current.strip()))
    return out


def _parse_statement(statement: str, line_no: int, block: _Block, problems: list[Problem]) -> None:
    def row(person: str, action: str, post: str, note: str = "") -> Appointment:
        item = Appointment("", block.date, block.authority, person, action, post, note, line_no)
        block.rows.append(item)
        return item

    def unparsed(why: str) -> None:
        problems.append(Problem("warning", "appointment-unparsed", f"人事任免：{why}：{statement}", line_no))

    statement = _ENUMERATOR.sub("", statement, count=1)
    rename = _RENAME.match(statement)
    if rename:
        old, new = _expand_posts(rename.group("old")), _expand_posts(rename.group("new"))
        if len(old) != len(new):
            old, new = [rename.group("old")], [rename.group("new")]
        for before, after in zip(old, new):
            row("", "职务名称变更", before, after)
        return
    clauses = _split(statement, "，,")
    lapse_at = next((i for i, c in enumerate(clauses) if c.endswith("自然免除")), None)
    if lapse_at is not None:
        lapse = _LAPSE.match("，".join(clauses[: lapse_at + 1]))
        if lapse is None:
            unparsed("无法识别的自然免除")
            return
        note = "，".join(filter(None, [lapse.group("why") or "", *clauses[lapse_at + 1 :]]))
        for part in _split(lapse.group("posts"), "，,"):
            for post in _expand_posts(_strip_former(part)):
                row("", "自然免除", post, note)
        return

    subject: list[str] = []
    last: list[Appointment] = []  # rows of the latest action, which later remarks describe
    for clause in clauses:
        parsed = _parse_clause(clause, block.heading)
        if parsed is None:
            if last and not _ACTION_WORD.search(clause):
                for item in last:
                    item.note = "，".join(filter(None, [item.note, clause]))
                continue
            unparsed("无法识别的句子" if not last else f"无法识别的分句“{clause}”")
            return
        persons, action, post = parsed
        if persons:
            subject = persons
        if not subject:
            unparsed("没有人名")
            return
        post, note = _split_remark(post)
        last = [row(person, action, post, note) for person in subject]


def _parse_clause(clause: str, heading: str) -> tuple[list[str], str, str] | None:
    for kind, pattern in _CLAUSES:
        match = pattern.match(clause)
        if not match:
            continue
        groups = match.groupdict()
        persons = groups["persons"].split("、") if groups.get("persons") else []
        if kind == "heading":
            default, fitting = _LINK_ACTIONS.get(groups["link"], ("", ()))
            if heading and (heading in fitting or not default):
                action = heading
            elif default:
                action = default
            else:
                continue
        elif kind == "cease":
            action = "不再" + groups["verb"]
        else:
            action = _VERB_ACTION[groups["verb"]]
        post = groups["post"].strip()
        if post:
            return persons, action, post
    return None


def _split_remark(post: str) -> tuple[str, str]:
    post = post.removesuffix("职务")
    remark = _REMARK_PAREN.match(post)
    if remark and _REMARK_WORDS.search(remark.group("note")):
        return remark.group("post").removesuffix("职务"), remark.group("note")
    return post, ""


def _expand_posts(text: str) -> list[str]:
    """区X中心主任、副主任 → [区X中心主任, 区X中心副主任]."""
    items = [_strip_former(item.strip()) for item in text.split("、") if item.strip()]
    if not items:
        return [text]
    out = [items[0]]
    for item in items[1:]:
        prefix = _org_prefix(items[0], item) if _BARE_TITLE.match(item) else None
        out.append(item if prefix is None else prefix + item)
    return out


def _org_prefix(first: str, title: str) -> str | None:
    """The organisation part of ``first`` when ``title`` is a bare title like 副主任."""
    core = title
    for head in ("常务副", "副", "正"):
        if core.startswith(head) and len(core) > len(head):
            core = core[len(head) :]
            break
    for head in _TITLE_PREFIXES:
        if first.endswith(head + core) and len(first) > len(head + core) + 1:
            return first[: -len(head + core)]
    return None


def _strip_former(text: str) -> str:
    return text[1:] if text.startswith("原") and len(text) > 2 else text


def _split(text: str, separators: str) -> list[str]:
    """Split at separators outside brackets."""
    parts, current, depth = [], "", 0
    for char in text:
        if char in "（(":
            depth += 1
        elif char in "）)":
            depth = max(0, depth - 1)
        if char in separators and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    parts.append(current.strip())
    return [p for p in parts if p]


def _iso_date(text: str, year: int | None) -> str | None:
    """A whole-line date → ISO string; "" for an impossible date; None when the line is no date."""
    full = DATE_LINE_RE.match(text)
    if full:
        return iso_date(*(cn_number(part) for part in full.groups()))
    short = _MONTH_DAY_LINE.match(text)
    if short:
        return iso_date(year, cn_number(short.group(1)), cn_number(short.group(2)))
    return None
