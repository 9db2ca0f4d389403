"""Typed records: what ingest produces, what records/*.yml hold, what pages and data are made from.

Every class is a plain dataclass. ``to_dict``/``from_dict`` convert to and from the
YAML-friendly form; ``from_dict`` checks types and names the offending field.
Dates are ISO strings (``YYYY-MM-DD``) or ``""`` when unknown.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass
class Problem:
    """Something ingest could not parse, or had to correct. Data, not an exception."""

    severity: str  # error | warning | info
    code: str  # short ASCII slug, e.g. toc-entry-without-body
    message: str  # human-readable, may be Chinese
    line: int = 0  # 1-based source line, 0 when not tied to a line


@dataclass
class DocNumber:
    """发文字号, e.g. 济兖政发〔2021〕5号 = agency 济兖政发, year 2021, serial 5."""

    text: str  # corrected, without spaces
    agency: str
    year: int
    serial: int
    printed: str = ""  # as printed in the source, when it differed from ``text``


@dataclass
class TocEntry:
    """One line of the printed table of contents."""

    section: str
    title: str
    doc_number: str = ""  # as printed (may carry OCR errors)
    page: int | None = None
    line: int = 0


@dataclass
class Table:
    """A table found in a document; also published as its own CSV resource."""

    table_id: str
    caption: str
    header: list[list[str]] = field(default_factory=list)  # one or two header rows
    rows: list[list[str]] = field(default_factory=list)
    line: int = 0


@dataclass
class Attachment:
    """附件: its label as printed (附件1), its title and its body as Markdown."""

    label: str
    title: str
    body: str = ""
    line: int = 0


@dataclass
class Reference:
    """A document number cited in a document's text."""

    cited_doc_number: str  # normalised, without spaces
    relation: str  # 废止 | 宣布失效 | 依据 | 引用 | 贯彻 ...
    line: int = 0


@dataclass
class Document:
    """One official document, with the elements GB/T 9704 names."""

    document_id: str  # stable ASCII identity, derived from the doc number
    seq: int  # 1-based order in the issue
    section: str  # e.g. 区政府文件
    title: str
    doc_type: str = ""  # 文种: 通知, 意见, 决定 ...
    doc_number: DocNumber | None = None
    issuer: str = ""  # 发文机关
    recipients: str = ""  # 主送机关
    signed_on: str = ""  # 成文日期
    printed_on: str = ""  # 印发日期
    public: bool | None = None  # 此件公开发布
    page: int | None = None  # page in the issue's table of contents
    body: str = ""  # Markdown
    attachment_titles: list[str] = field(default_factory=list)  # 附件说明 as listed
    attachments: list[Attachment] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    line: int = 0  # source line where the document starts


@dataclass
class Appointment:
    """One person and one action in 人事任免."""

    appointment_id: str
    decided_on: str
    authority: str
    person: str
    action: str  # 任命 | 免去 | 聘任 | 不再聘任 | 不再担任 | 更名 ...
    post: str
    note: str = ""
    line: int = 0
    text: str = ""  # the decision as printed (the whole statement this row comes from)
    basis: str = ""  # the lines it stands under, as printed: list title, 决定/notice line, 任命： heading


@dataclass
class Event:
    """One 大事记 entry."""

    event_id: str
    date: str
    text: str
    end_date: str = ""
    line: int = 0


@dataclass
class Coverage:
    """How much of the source's non-whitespace text ended up in the record."""

    source_chars: int = 0  # non-whitespace characters in the source
    kept_chars: int = 0  # found in record fields
    noise_chars: int = 0  # counted as dropped noise (page headers, TOC numbers, leaders)
    lost_chars: int = 0  # neither: the figure that should be 0

    @property
    def ratio(self) -> float:
        if not self.source_chars:
            return 1.0
        return (self.kept_chars + self.noise_chars) / self.source_chars


@dataclass
class Issue:
    """One ingested source: a gazette issue, or a collection of documents published together."""

    issue_id: str  # stable ASCII, e.g. 370812-2021-3-4
    kind: str  # issue | collection
    publisher: str  # e.g. 济宁市兖州区人民政府
    region_code: str
    year: int | None
    number: str = ""  # 期号 as printed: 3-4, 12
    cumulative_number: str = ""  # 总期号: 87-88
    published_on: str = ""  # 出版日期
    source: str = ""  # source file name
    source_sha256: str = ""
    year_inferred: bool = False  # year taken from the documents, not the masthead
    title: str = ""  # masthead title, e.g. 济宁市兖州区人民政府公报
    sections: list[str] = field(default_factory=list)
    toc: list[TocEntry] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)


class RecordError(ValueError):
    """A record does not match the model. ``path`` names the field, e.g. documents[3].title."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


def to_dict(record: Any) -> Any:
    """Dataclass tree → plain dicts/lists, field order preserved."""
    if dataclasses.is_dataclass(record):
        return {f.name: to_dict(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, list):
        return [to_dict(item) for item in record]
    return record


def from_dict(cls: type, data: Any, path: str = "") -> Any:
    """Plain data → dataclass ``cls``, checking every field's type. Raises RecordError."""
    return _convert(cls, data, path)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _convert(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        real = [o for o in options if o is not type(None)]
        for option in real:
            try:
                return _convert(option, value, path)
            except RecordError as exc:
                error = exc
        if len(real) == 1:
            raise error
        raise RecordError(path, f"expected {_name(tp)}, got {type(value).__name__} {value!r:.60}")
    if origin is list:
        if not isinstance(value, list):
            raise RecordError(path, f"expected a list, got {type(value).__name__}")
        (item_tp,) = typing.get_args(tp)
        return [_convert(item_tp, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise RecordError(path, f"expected a mapping for {tp.__name__}, got {type(value).__name__}")
        hints = _hints(tp)
        known = {f.name for f in dataclasses.fields(tp)}
        unknown = sorted(set(value) - known)
        if unknown:
            raise RecordError(_join(path, str(unknown[0])), f"unknown field in {tp.__name__}")
        kwargs = {}
        for f in dataclasses.fields(tp):
            sub = _join(path, f.name)
            if f.name not in value:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise RecordError(sub, "missing required field")
                continue
            kwargs[f.name] = _convert(hints[f.name], value[f.name], sub)
        return tp(**kwargs)
    if tp is bool:
        if not isinstance(value, bool):
            raise RecordError(path, f"expected true/false, got {value!r:.60}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordError(path, f"expected an integer, got {value!r:.60}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise RecordError(path, f"expected text, got {type(value).__name__} {value!r:.60}")
        return value
    if tp is Any:
        return value
    raise RecordError(path, f"unsupported type {tp!r}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _name(tp: Any) -> str:
    return " or ".join(getattr(a, "__name__", str(a)) for a in typing.get_args(tp))
