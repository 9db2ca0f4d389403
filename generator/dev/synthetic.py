"""A deterministic synthetic archive of any size, made from the sample records. Pure: no I/O.

Documents are copied from the samples with a new publisher, document number, dates and a
remix of paragraphs, so pages differ as in a real archive. Some documents cite (依据) or
repeal (废止) earlier synthetic documents, and the cue is written into the text, so the
references (found by the real reference parser) resolve within the archive.
``render_source`` turns a synthetic issue back into gazette text, for timing the parser.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import re
from dataclasses import dataclass, field

from generator.ingest.references import find_references
from generator.model import ids
from generator.model.models import Appointment, Attachment, DocNumber, Document, Event, Issue, Table, TocEntry

DOCS_PER_ISSUE = (15, 25)
ISSUES_PER_YEAR = 12
FIRST_YEAR = 2014
CITE_SHARE = 0.35  # documents that cite an earlier synthetic document
REPEAL_SHARE = 0.04  # documents that repeal one
MIX_SHARE = 0.35  # body paragraphs swapped for a paragraph of another document
CHARS_PER_PAGE = 1500

_SUFFIXES = ("政办发", "政办字", "政发", "政字")  # office codes first: 济兖政办发 is not a 政发 code
_PUBLISHER_NAME = re.compile(
    r"^(?P<city>[\u4e00-\u9fff]{1,4}市)?(?P<short>[\u4e00-\u9fff]{1,4}?[区县市])人民政府$"
)
_HEADING = re.compile(r"^#{1,6}\s")
_TABLE_ROW = re.compile(r"^\s*\|")
_CN_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class SyntheticPublisher:
    name: str
    short_name: str
    city: str
    region_code: str
    slug: str
    code_stem: str  # 机关代字 without 政发/政字/…, e.g. 历下

    @property
    def agency_codes(self) -> list[str]:
        return [f"{self.code_stem}{suffix}" for suffix in ("政发", "政字", "政办发", "政办字")]

    def registry_entry(self) -> dict:
        """The publisher as a content/publishers.yml entry."""
        return {
            "name": self.name,
            "short_name": self.short_name,
            "region_code": self.region_code,
            "slug": self.slug,
            "aliases": [f"{self.short_name}人民政府", f"{self.short_name}政府"],
            "agency_codes": self.agency_codes,
        }


# Invented for the benchmark: real Shandong districts (GB/T 2260 codes), plausible agency codes.
EXTRA_PUBLISHERS = (
    SyntheticPublisher("济南市历下区人民政府", "历下区", "济南市", "370102", "lixia", "历下"),
    SyntheticPublisher("济南市槐荫区人民政府", "槐荫区", "济南市", "370104", "huaiyin", "槐荫"),
    SyntheticPublisher("济南市历城区人民政府", "历城区", "济南市", "370112", "licheng", "历城"),
    SyntheticPublisher("济南市长清区人民政府", "长清区", "济南市", "370113", "changqing", "长清"),
    SyntheticPublisher("济南市章丘区人民政府", "章丘区", "济南市", "370114", "zhangqiu", "章丘"),
    SyntheticPublisher("淄博市张店区人民政府", "张店区", "淄博市", "370303", "zhangdian", "张店"),
    SyntheticPublisher("淄博市临淄区人民政府", "临淄区", "淄博市", "370305", "linzi", "临淄"),
    SyntheticPublisher("泰安市泰山区人民政府", "泰山区", "泰安市", "370902", "taishan", "泰山"),
)


@dataclass
class _Template:
    """A sample document and the names to replace in it."""

    document: Document
    names: list[tuple[str, str]]  # (old, placeholder) pairs, longest first
    codes: dict[str, str]  # the sample publisher's agency codes → their suffix


@dataclass
class _State:
    rng: random.Random
    serials: dict[tuple[str, int], int] = field(default_factory=dict)
    by_publisher: dict[str, list[Document]] = field(default_factory=dict)  # earlier documents
    repealed: set[str] = field(default_factory=set)


def synthetic_issues(samples: list[Issue], n_docs: int, seed: int = 0) -> list[Issue]:
    """``n_docs`` documents in issues of 15–25, spread over the sample and extra publishers.

    Same samples, ``n_docs`` and ``seed`` → the same issues, field for field.
    """
    templates = _templates(samples)
    if not templates:
        raise ValueError("synthetic_issues: the samples hold no documents")
    publishers = publishers_for(samples)
    para_pool = [p for t in templates for p in _paragraphs(t.document.body) if _plain(p)]
    appt_pool = [a for s in samples for a in s.appointments]
    event_pool = [e for s in samples for e in s.events if _valid_date(e.date)]
    state = _State(random.Random(f"gazette-synthetic-{seed}"))
    rng = state.rng
    order: list[_Template] = []
    cursor = {p.region_code: (FIRST_YEAR + i % 6, 1) for i, p in enumerate(publishers)}
    cumulative = {p.region_code: 10 + 7 * i for i, p in enumerate(publishers)}

    issues: list[Issue] = []
    made = 0
    slot = 0
    while made < n_docs:
        publisher = publishers[slot % len(publishers)]
        slot += 1
        year, number = cursor[publisher.region_code]
        cursor[publisher.region_code] = (year + 1, 1) if number == ISSUES_PER_YEAR else (year, number + 1)
        cumulative[publisher.region_code] += 1
        size = min(rng.randint(*DOCS_PER_ISSUE), n_docs - made)
        issue = _issue(publisher, year, number, cumulative[publisher.region_code], rng)
        page = 1
        for seq in range(1, size + 1):
            if not order:
                order = list(templates)
                rng.shuffle(order)
            document = _document(order.pop(), publisher, issue, seq, para_pool, state)
            document.page = page
            page += 1 + len(document.body) // CHARS_PER_PAGE
            issue.documents.append(document)
            issue.toc.append(
                TocEntry(
                    section=document.section,
                    title=document.title,
                    doc_number=document.doc_number.text,
                    page=document.page,
                )
            )
        issue.sections = list(dict.fromkeys(d.section for d in issue.documents))
        if appt_pool and rng.random() < 0.5:
            issue.appointments = _appointments(issue, publisher, appt_pool, templates, rng)
            issue.sections.append("人事任免")
            issue.toc.append(TocEntry(section="人事任免", title="人事任免", page=page))
            page += 2
        if event_pool and rng.random() < 0.6:
            issue.events = _events(issue, publisher, event_pool, templates, rng)
            issue.sections.append("大事记")
            issue.toc.append(TocEntry(section="大事记", title="大事记", page=page))
        issues.append(issue)
        made += size
    return issues


def publishers_for(samples: list[Issue]) -> list[SyntheticPublisher]:
    """The samples' publishers (as far as their names parse) followed by EXTRA_PUBLISHERS."""
    found: dict[str, SyntheticPublisher] = {}
    for issue in samples:
        m = _PUBLISHER_NAME.match(issue.publisher)
        codes = sorted({d.doc_number.agency for d in issue.documents if d.doc_number})
        stem = _code_stem(codes)
        if not m or not issue.region_code or not stem or issue.publisher in found:
            continue
        short = m.group("short")
        found[issue.publisher] = SyntheticPublisher(
            issue.publisher,
            short,
            m.group("city") or "",
            issue.region_code,
            ids.pinyin_slug(short[:-1]),
            stem,
        )
    extra = [p for p in EXTRA_PUBLISHERS if p.region_code not in {f.region_code for f in found.values()}]
    return [*found.values(), *extra]


def _code_stem(codes: list[str]) -> str:
    for code in codes:
        for suffix in _SUFFIXES:
            if code.endswith(suffix) and len(code) > len(suffix):
                return code[: -len(suffix)]
    return ""


def _suffix(agency: str) -> str:
    for suffix in _SUFFIXES:
        if agency.endswith(suffix):
            return suffix
    return "政字" if "字" in agency else "政发"


def _templates(samples: list[Issue]) -> list[_Template]:
    out = []
    for issue in samples:
        m = _PUBLISHER_NAME.match(issue.publisher)
        names: list[tuple[str, str]] = []
        if m:
            short = m.group("short")
            names = [(issue.publisher, "{name}"), (short, "{short}"), (short[:-1], "{bare}")]
            if m.group("city"):
                names.append((m.group("city"), "{city}"))
        codes = {d.doc_number.agency: _suffix(d.doc_number.agency) for d in issue.documents if d.doc_number}
        for document in issue.documents:
            if document.doc_number is not None:
                out.append(_Template(document, sorted(names, key=lambda n: -len(n[0])), codes))
    return out


def _issue(
    publisher: SyntheticPublisher, year: int, number: int, cumulative: int, rng: random.Random
) -> Issue:
    published = dt.date(year, number, rng.randint(20, 28))
    return Issue(
        issue_id=ids.issue_id(publisher.region_code, year, str(number)),
        kind="issue",
        publisher=publisher.name,
        region_code=publisher.region_code,
        year=year,
        number=str(number),
        cumulative_number=str(cumulative),
        published_on=published.isoformat(),
        source=f"{publisher.slug}-{year}-{number:02d}.txt",
        title=f"{publisher.name}公报",
    )


def _document(
    template: _Template,
    publisher: SyntheticPublisher,
    issue: Issue,
    seq: int,
    para_pool: list[str],
    state: _State,
) -> Document:
    rng = state.rng
    src = template.document
    published = dt.date.fromisoformat(issue.published_on)
    signed = published - dt.timedelta(days=rng.randint(8, 45))
    printed = signed + dt.timedelta(days=rng.choice((0, 0, 1, 2, 3)))
    agency = f"{publisher.code_stem}{_suffix(src.doc_number.agency)}"
    key = (agency, signed.year)
    state.serials[key] = state.serials.get(key, 0) + 1
    number = DocNumber(
        text=f"{agency}〔{signed.year}〕{state.serials[key]}号",
        agency=agency,
        year=signed.year,
        serial=state.serials[key],
    )
    document_id = ids.document_id(number, issue.issue_id, seq)

    def local(text: str) -> str:
        return _localise(text, template, publisher)

    body = local(_remix(src.body, para_pool, rng))
    earlier = state.by_publisher.setdefault(publisher.name, [])
    before = [d for d in earlier[-200:] if d.signed_on < signed.isoformat()]
    if before and rng.random() < CITE_SHARE:
        cited = before[-rng.randint(1, min(len(before), 60))]
        body = _insert_after_first(
            body, f"根据《{cited.title}》（{cited.doc_number.text}）有关要求，结合工作实际，制定本文件。"
        )
    if before and rng.random() < REPEAL_SHARE:
        candidates = [d for d in before if d.document_id not in state.repealed]
        if candidates:
            old = rng.choice(candidates)
            state.repealed.add(old.document_id)
            body = f"{body}\n\n本文件自印发之日起施行，《{old.title}》（{old.doc_number.text}）同时废止。"

    tables = []
    for n, table in enumerate(src.tables, 1):
        tables.append(
            Table(
                table_id=f"{document_id}-t{n}",
                caption=local(table.caption),
                header=copy.deepcopy(table.header),
                rows=copy.deepcopy(table.rows),
            )
        )
    attachments = [
        Attachment(label=a.label, title=local(a.title), body=local(a.body)) for a in src.attachments
    ]
    document = Document(
        document_id=document_id,
        seq=seq,
        section=src.section,
        title=local(src.title),
        doc_type=src.doc_type,
        doc_number=number,
        issuer=local(src.issuer) or publisher.name,
        recipients=local(src.recipients),
        signed_on=signed.isoformat(),
        printed_on=printed.isoformat(),
        public=src.public,
        body=body,
        attachment_titles=[local(t) for t in src.attachment_titles],
        attachments=attachments,
        tables=tables,
    )
    texts = [document.body, *(a.body for a in attachments)]
    document.references = find_references("\n\n".join(t for t in texts if t), own_number=number.text)
    for reference in document.references:
        reference.line = 0
    earlier.append(document)
    return document


def _localise(text: str, template: _Template, publisher: SyntheticPublisher) -> str:
    """Sample publisher's names and agency codes → the synthetic publisher's (numbers in earlier years)."""
    if not text:
        return text
    for code in sorted(template.codes, key=len, reverse=True):
        text = re.sub(
            rf"{re.escape(code)}(\s*〔\s*)((?:19|20)\d\d)",
            lambda m, code=code: f"{{code:{template.codes[code]}}}{m.group(1)}{_historic(int(m.group(2)))}",
            text,
        )
    for old, placeholder in template.names:
        text = text.replace(old, placeholder)
    text = (
        text.replace("{name}", publisher.name)
        .replace("{short}", publisher.short_name)
        .replace("{bare}", publisher.short_name[:-1])
        .replace("{city}", publisher.city)
    )
    for suffix in _SUFFIXES:
        text = text.replace(f"{{code:{suffix}}}", f"{publisher.code_stem}{suffix}")
    return text


def _historic(year: int) -> int:
    """A year before the synthetic archive starts: sample numbers cited in the text must not
    resolve to unrelated synthetic documents."""
    return FIRST_YEAR - 2 - year % 5


def _paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def _plain(paragraph: str) -> bool:
    """A running-text paragraph: not a heading, not a table, long enough to read as one."""
    return not _HEADING.match(paragraph) and not _TABLE_ROW.match(paragraph) and len(paragraph) >= 40


def _remix(body: str, pool: list[str], rng: random.Random) -> str:
    """Swap some running-text paragraphs for others' and reorder neighbours; keep the first."""
    paragraphs = _paragraphs(body)
    for i in range(1, len(paragraphs)):
        if _plain(paragraphs[i]) and rng.random() < MIX_SHARE:
            paragraphs[i] = rng.choice(pool)
    for i in range(1, len(paragraphs) - 1):
        if _plain(paragraphs[i]) and _plain(paragraphs[i + 1]) and rng.random() < 0.3:
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    return "\n\n".join(paragraphs)


def _insert_after_first(body: str, paragraph: str) -> str:
    head, sep, rest = body.partition("\n\n")
    return f"{head}\n\n{paragraph}{sep}{rest}" if sep else f"{body}\n\n{paragraph}" if body else paragraph


def _template_for_text(templates: list[_Template], text: str) -> _Template | None:
    for template in templates:
        if any(old in text for old, _ in template.names):
            return template
    return None


def _appointments(
    issue: Issue,
    publisher: SyntheticPublisher,
    pool: list[Appointment],
    templates: list[_Template],
    rng: random.Random,
) -> list[Appointment]:
    published = dt.date.fromisoformat(issue.published_on)
    decided = (published - dt.timedelta(days=rng.randint(10, 40))).isoformat()
    out = []
    for n, src in enumerate(rng.sample(pool, min(len(pool), rng.randint(3, 10))), 1):
        other = rng.choice(pool).person
        person = src.person[:1] + other[1:] if len(src.person) >= 2 and len(other) >= 2 else src.person
        template = _template_for_text(templates, f"{src.authority}{src.basis}{src.text}")

        def local(text: str, template=template) -> str:
            return _localise(text, template, publisher) if template else text

        out.append(
            Appointment(
                appointment_id=f"{issue.issue_id}-a{n:03d}",
                decided_on=decided,
                authority=local(src.authority),
                person=person,
                action=src.action,
                post=src.post,
                note=src.note,
                text=local(src.text.replace(src.person, person)),
                basis=local(src.basis),
            )
        )
    return out


def _events(
    issue: Issue,
    publisher: SyntheticPublisher,
    pool: list[Event],
    templates: list[_Template],
    rng: random.Random,
) -> list[Event]:
    published = dt.date.fromisoformat(issue.published_on)
    month_start = (published.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    picked = sorted(
        rng.sample(pool, min(len(pool), rng.randint(5, 15))), key=lambda e: (e.date[8:10], e.event_id)
    )
    out = []
    for n, src in enumerate(picked, 1):
        day = min(int(src.date[8:10]), 28)
        date = month_start.replace(day=day)
        end = ""
        if src.end_date and _valid_date(src.end_date):
            span = (dt.date.fromisoformat(src.end_date) - dt.date.fromisoformat(src.date)).days
            end = date.replace(day=min(day + max(span, 1), 28)).isoformat() if day < 28 else ""
        template = _template_for_text(templates, src.text)
        text = _localise(src.text, template, publisher) if template else src.text
        out.append(
            Event(event_id=f"{issue.issue_id}-e{n:03d}", date=date.isoformat(), text=text, end_date=end)
        )
    return out


def _valid_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


# ---------------------------------------------------------------- back to gazette text


def _cn_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def _cn_numeral_date(iso: str) -> str:
    """2021-03-26 → 二〇二一年三月二十六日 (as appointment lists print dates)."""
    d = dt.date.fromisoformat(iso)

    def small(n: int) -> str:
        if n < 10:
            return _CN_DIGITS[n] if n else ""
        tens, ones = divmod(n, 10)
        return f"{'' if tens == 1 else _CN_DIGITS[tens]}十{_CN_DIGITS[ones] if ones else ''}"

    return f"{''.join(_CN_DIGITS[int(c)] for c in str(d.year))}年{small(d.month)}月{small(d.day)}日"


def _plain_text(markdown: str) -> str:
    """Record Markdown → text as printed: headings unmarked, pipe tables tab-separated."""
    lines = []
    for line in markdown.split("\n"):
        if _TABLE_ROW.match(line):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue
            line = "\t".join(cells)
        lines.append(re.sub(r"^#{1,6}\s+", "", line))
    return "\n".join(lines)


def render_source(issue: Issue) -> str:
    """The issue as gazette text of the kind extraction gives (masthead, 目录, documents, colophon)."""
    out = [
        f"{issue.title}",
        f"{issue.year}",
        f"第{issue.number}期（总第{issue.cumulative_number}期）",
        "目 录",
    ]
    section = None
    for entry in issue.toc:
        if entry.section in ("人事任免", "大事记"):
            out.append(f"【 {entry.section} 】{entry.page}")
            section = entry.section
            continue
        if entry.section != section:
            out.append(f"【 {entry.section} 】")
            section = entry.section
        out += [entry.title, f"({entry.doc_number}){entry.page}"]
    for d in issue.documents:
        out += [d.title, d.doc_number.text if d.doc_number else ""]
        if d.recipients:
            out.append(f"{d.recipients}：")
        out.append(_plain_text(d.body))
        if d.attachment_titles:
            listed = [f"{n}. {t}" for n, t in enumerate(d.attachment_titles, 1)]
            out.append("附件：" + "\n".join(listed) if len(listed) > 1 else f"附件：{d.attachment_titles[0]}")
        out.append(f"{d.issuer}\n{_cn_date(d.signed_on)}")
        if d.public:
            out.append("（此件公开发布）")
        out.append(f"（{_cn_date(d.printed_on)}印发）")
        for a in d.attachments:
            out += [a.label, a.title, _plain_text(a.body)]
    if issue.appointments:
        out += ["人事任免", f"{issue.publisher}任免的工作人员名单"]
        for authority in dict.fromkeys(a.authority for a in issue.appointments):
            group = [a for a in issue.appointments if a.authority == authority]
            out += [_cn_numeral_date(group[0].decided_on), f"{authority}决定："]
            for a in group:
                note = f"，{a.note}" if a.note else ""
                if a.action in ("免去", "不再聘任", "不再担任"):
                    out.append(f"{a.action}{a.person}的{a.post}职务{note}；")
                else:
                    out.append(f"{a.action}{a.person}为{a.post}{note}；")
    if issue.events:
        out += ["大事记", f"{issue.publisher}大事记"]
        month = ""
        for e in issue.events:
            d = dt.date.fromisoformat(e.date)
            heading = f"{d.year}年{d.month}月"
            if heading != month:
                out.append(heading)
                month = heading
            days = f"{d.day}-{dt.date.fromisoformat(e.end_date).day}日" if e.end_date else f"{d.day}日"
            out.append(f"{days} {e.text}")
    out += [
        f"{issue.title}\n{issue.year}年第{issue.number}期\n{_cn_date(issue.published_on)}出版",
        f"主管主办：{issue.publisher}\n编辑出版：{issue.publisher}办公室",
    ]
    return "\n\n".join(part for part in out if part) + "\n"
