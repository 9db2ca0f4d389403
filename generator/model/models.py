"""Typed records: what ingest produces, what records/*.yml hold, what pages and data are made from.

Every class is a plain dataclass. ``to_dict``/``from_dict`` convert to and from the
YAML-friendly form; ``from_dict`` checks types and names the offending field.
Dates are ISO strings (``YYYY-MM-DD``) or ``""`` when unknown.

Fields whose values become something else downstream carry a check in their annotation
(``Annotated[str, check]``): dates (IsoDate), years (Year), integers stored in SQLite
(Count) and short labels that become file and URL names (Section, DocType, PersonName ...).
``from_dict`` applies them, so a hand-edited record is refused when it is read, naming the
field, rather than crashing a later stage.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

Severity = Literal["error", "warning", "info"]


# ---------------------------------------------------------------- field checks

SHOW_CHARS = 60  # how much of a bad value an error message shows


def show(value: Any, limit: int = SHOW_CHARS) -> str:
    """A short, one-line picture of ``value`` for an error message. Cuts before it formats:
    a 100 MB string or a 10,000-digit number is never turned into text whole."""
    if isinstance(value, str):
        return repr(value[:limit]) + ("…" if len(value) > limit else "")
    if isinstance(value, (bytes, bytearray)):
        return repr(bytes(value[:limit])) + ("…" if len(value) > limit else "")
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() > 3 * limit:  # repr would be long (and past 4,300 digits, fail)
            return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
        return repr(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return f"[{len(value)} items]"
    if isinstance(value, dict):
        return f"{{{len(value)} keys}}"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return f"<{type(value).__name__}>"


def key_text(key: Any) -> str:
    """A mapping key as it is named in a field path: cut when it is long."""
    text = key if isinstance(key, str) else show(key)
    return text if len(text) <= SHOW_CHARS else text[:SHOW_CHARS] + "…"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _check_date(value: str) -> str | None:
    """ "" or a real calendar date written YYYY-MM-DD (what ingest writes, via date.isoformat)."""
    if value == "":
        return None
    if not _ISO_DATE.fullmatch(value):
        return f"expected a date as YYYY-MM-DD (or '' when unknown), got {show(value)}"
    try:
        datetime.date.fromisoformat(value)
    except ValueError as exc:
        return f"{show(value)} is not a real date ({exc}); write YYYY-MM-DD, or '' when unknown"
    return None


YEAR_MIN, YEAR_MAX = 1900, 2200  # ingest reads years 19xx and 20xx, dates up to 2199


def _check_year(value: int) -> str | None:
    if YEAR_MIN <= value <= YEAR_MAX:
        return None
    return f"{show(value)} is not a plausible year: expected {YEAR_MIN} to {YEAR_MAX}"


COUNT_MAX = 2**31 - 1  # integers go into SQLite and JSON; far above any line, page or count


def _check_count(value: int) -> str | None:
    if 0 <= value <= COUNT_MAX:
        return None
    return f"{show(value)} is out of range: expected a whole number from 0 to {COUNT_MAX}"


LABEL_MAX = 100  # characters in a label that becomes a file or URL name
SLUG_MAX = 120  # characters of that name once spelled in pinyin (a file name may hold 255 bytes)


def _label(what: str) -> Callable[[str], str | None]:
    """Check for a short label (a section name, 文种 ...) that becomes a file and URL name."""

    def check(value: str) -> str | None:
        if len(value) > LABEL_MAX:
            return (
                f"{what} is {len(value)} characters long, at most {LABEL_MAX} (it becomes a file name): "
                f"{show(value, 20)}; shorten it"
            )
        if (
            len(value) * 6 > SLUG_MAX
        ):  # a pinyin syllable has at most 6 letters: only long labels need spelling
            from generator.model.ids import pinyin_slug

            name = pinyin_slug(value)
            if len(name) > SLUG_MAX:
                return (
                    f"{what} {show(value, 20)} is too long for a file name: spelled in pinyin it is "
                    f"{len(name)} characters, at most {SLUG_MAX}; shorten it"
                )
        return None

    check.__name__ = f"check_{what.replace(' ', '_')}"
    return check


# Controlled vocabularies: every value ingest writes, declared as enums in the data package and
# the JSON Schemas. A hand-edited record with another value is refused when it is read.
DOC_TYPES = (  # 文种, as GB/T 9704 and the 党政机关公文处理工作条例 name them
    "决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知",
    "通报", "报告", "请示", "批复", "议案", "纪要", "函", "令",
)  # fmt: skip
ACTIONS = (  # 人事任免 actions (generator/ingest/appointments.py)
    "任命", "聘任", "兼任", "免去", "解聘", "不再担任", "不再聘任", "自然免除", "职务名称变更",
)  # fmt: skip
RELATIONS = ("废止", "宣布失效", "依据", "贯彻", "引用")  # how a document cites another


def _one_of(what: str, allowed: tuple[str, ...]) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if value in allowed:
            return None
        return f"{what} {show(value)} is not one of: {'、'.join(a for a in allowed if a)}"

    check.__name__ = f"check_{what.split()[0]}"
    return check


IsoDate = Annotated[str, _check_date]
Year = Annotated[int, _check_year]
Count = Annotated[int, _check_count]
Section = Annotated[str, _label("section name")]
DocType = Annotated[str, _one_of("document type (文种)", ("", *DOC_TYPES))]
Action = Annotated[str, _one_of("action", ACTIONS)]
Relation = Annotated[str, _one_of("relation", RELATIONS)]
Publisher = Annotated[str, _label("publisher name")]
REGION_CODE_PATTERN = "[0-9]{6}"  # GB/T 2260: province, prefecture, county
SHA256_PATTERN = "[0-9a-f]{64}"


def _pattern(what: str, pattern: str, example: str) -> Callable[[str], str | None]:
    compiled = re.compile(pattern)

    def check(value: str) -> str | None:
        if value == "" or compiled.fullmatch(value):
            return None
        return f"{what} {show(value)} is not {example} (or '' when unknown)"

    check.__name__ = f"check_{what.split()[0]}"
    return check


RegionCode = Annotated[
    str, _pattern("region code", REGION_CODE_PATTERN, "six digits (GB/T 2260), e.g. '370812'")
]
Sha256 = Annotated[str, _pattern("source_sha256", SHA256_PATTERN, "64 lowercase hexadecimal digits")]
PersonName = Annotated[str, _label("person's name")]
CitedNumber = Annotated[str, _label("document number")]


@dataclass
class Problem:
    """Something ingest could not parse, or had to correct. Data, not an exception."""

    severity: str  # error | warning | info
    code: str  # short ASCII slug, e.g. toc-entry-without-body
    message: str  # human-readable, may be Chinese
    line: Count = 0  # 1-based source line, 0 when not tied to a line


@dataclass
class DocNumber:
    """发文字号, e.g. 济兖政发〔2021〕5号 = agency 济兖政发, year 2021, serial 5."""

    text: str  # corrected, without spaces
    agency: str
    year: Year
    serial: Count
    printed: str = ""  # as printed in the source, when it differed from ``text``


@dataclass
class TocEntry:
    """One line of the printed table of contents."""

    section: Section
    title: str
    doc_number: str = ""  # as printed (may carry OCR errors)
    page: Count | None = None
    line: Count = 0


@dataclass
class Table:
    """A table found in a document; also published as its own CSV resource."""

    table_id: str
    caption: str
    header: list[list[str]] = field(default_factory=list)  # one or two header rows
    rows: list[list[str]] = field(default_factory=list)
    line: Count = 0


@dataclass
class Attachment:
    """附件: its label as printed (附件1), its title and its body as Markdown."""

    label: str
    title: str
    body: str = ""
    line: Count = 0


@dataclass
class Reference:
    """A document number cited in a document's text."""

    cited_doc_number: CitedNumber  # normalised, without spaces
    relation: Relation  # 废止 | 宣布失效 | 依据 | 贯彻 | 引用
    line: Count = 0


def _check_web_address(value: str) -> str | None:
    """'' or an http(s) address: a record's link is never javascript: or a local file."""
    if value == "" or re.fullmatch(r"https?://[^\s<>\"']+", value):
        return None
    return f"web address {show(value)} is not an http:// or https:// address (or '' when there is none)"


WebAddress = Annotated[str, _check_web_address]


@dataclass
class Document:
    """One official document, with the elements GB/T 9704 names."""

    document_id: str  # stable ASCII identity, derived from the doc number
    seq: Count  # 1-based order in the issue
    section: Section  # e.g. 区政府文件
    title: str
    doc_type: DocType = ""  # 文种: 通知, 意见, 决定 ...
    doc_number: DocNumber | None = None
    issuer: str = ""  # 发文机关
    recipients: str = ""  # 主送机关
    signed_on: IsoDate = ""  # 成文日期
    printed_on: IsoDate = ""  # 印发日期
    public: bool | None = None  # 此件公开发布
    page: Count | None = None  # page in the issue's table of contents
    source_pages: list[Count] = field(default_factory=list)  # first and last page in the source PDF
    source_url: WebAddress = ""  # the web page it was published on (原文链接), when ingested from one
    body: str = ""  # Markdown
    attachment_titles: list[str] = field(default_factory=list)  # 附件说明 as listed
    attachments: list[Attachment] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    line: Count = 0  # source line where the document starts


@dataclass
class Appointment:
    """One person and one action in 人事任免."""

    appointment_id: str
    decided_on: IsoDate
    authority: str
    person: PersonName
    action: Action  # 任命 | 免去 | 聘任 | 不再聘任 | 不再担任 | 职务名称变更 ...
    post: str
    note: str = ""
    line: Count = 0
    text: str = ""  # the decision as printed (the whole statement this row comes from)
    basis: str = ""  # the lines it stands under, as printed: list title, 决定/notice line, 任命： heading


@dataclass
class Event:
    """One 大事记 entry."""

    event_id: str
    date: IsoDate
    text: str
    end_date: IsoDate = ""
    line: Count = 0


@dataclass
class Coverage:
    """How much of the source's non-whitespace text ended up in the record."""

    source_chars: Count = 0  # non-whitespace characters in the source
    kept_chars: Count = 0  # found in record fields
    noise_chars: Count = 0  # counted as dropped noise (page headers, TOC numbers, leaders)
    lost_chars: Count = 0  # neither: the figure that should be 0

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
    publisher: Publisher  # e.g. 济宁市兖州区人民政府
    region_code: RegionCode
    year: Year | None
    number: str = ""  # 期号 as printed: 3-4, 12
    cumulative_number: str = ""  # 总期号: 87-88
    published_on: IsoDate = ""  # 出版日期
    source: str = ""  # source file name
    source_sha256: Sha256 = ""
    year_inferred: bool = False  # year taken from the documents, not the masthead
    title: str = ""  # masthead title, e.g. 济宁市兖州区人民政府公报
    sections: list[Section] = field(default_factory=list)
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
        self.reason = message

    def within(self, outer: str) -> RecordError:
        """The same error, its path prefixed with the field or item that holds it."""
        return RecordError(_join(outer, self.path), self.reason)


def to_dict(record: Any) -> Any:
    """Dataclass tree → plain dicts/lists, field order preserved."""
    kind = type(record)
    if kind in _PLAIN:
        return record
    if kind is list:
        return [to_dict(item) for item in record]
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if isinstance(record, list):
            return [to_dict(item) for item in record]
        if not dataclasses.is_dataclass(record) or isinstance(record, type):
            return record
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(record))
    return {name: to_dict(getattr(record, name)) for name in names}


_PLAIN = {str, int, float, bool, type(None)}
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # a dataclass's field names, asked once (to_dict)


def from_dict(cls: type, data: Any, path: str = "") -> Any:
    """Plain data → dataclass ``cls``, checking every field's type (and the checks of
    IsoDate, Year, Count, Section ...). Raises RecordError naming the field."""
    try:
        return _converter(cls)(data)
    except RecordError as exc:
        if path:
            raise exc.within(path) from None
        raise


def _convert(tp: Any, value: Any, path: str) -> Any:
    return from_dict(tp, value, path)


# One converter function per type, made once: a record of 10,000 documents has some 400,000
# values to check. A converter raises RecordError with the path below it; each level adds its
# own part on the way out (paths are only built for the error).
_CONVERTERS: dict[Any, Callable[[Any], Any]] = {}


def _converter(tp: Any) -> Callable[[Any], Any]:
    convert = _CONVERTERS.get(tp)
    if convert is None:
        convert = _CONVERTERS[tp] = _make_converter(tp)
    return convert


def _make_converter(tp: Any) -> Callable[[Any], Any]:
    origin = typing.get_origin(tp)
    if origin is Annotated:  # a type and its checks: IsoDate, Year, Count, Section ...
        base, *checks = typing.get_args(tp)
        inner = _converter(base)

        def convert_checked(value: Any) -> Any:
            value = inner(value)
            for check in checks:
                problem = check(value)
                if problem:
                    raise RecordError("", problem)
            return value

        return convert_checked
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        optional = type(None) in options
        real = [_converter(o) for o in options if o is not type(None)]
        if len(real) == 1:
            (only,) = real

            def convert_optional(value: Any) -> Any:
                return None if value is None and optional else only(value)

            return convert_optional

        def convert_union(value: Any) -> Any:
            if value is None and optional:
                return None
            for option in real:
                try:
                    return option(value)
                except RecordError:
                    pass
            raise RecordError("", f"expected {_name(tp)}, got {type(value).__name__} {show(value)}")

        return convert_union
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        item = _converter(item_tp)

        def convert_list(value: Any) -> Any:
            if not isinstance(value, list):
                raise RecordError("", f"expected a list, got {type(value).__name__}")
            try:
                return [item(v) for v in value]
            except RecordError:
                for i, v in enumerate(value):  # again, to name the item (conversion has no side effects)
                    try:
                        item(v)
                    except RecordError as exc:
                        raise exc.within(f"[{i}]") from None
                raise

        return convert_list
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp, include_extras=True)
        fields = [
            (
                f.name,
                _converter(hints[f.name]),
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
            )
            for f in dataclasses.fields(tp)
        ]
        known = frozenset(name for name, _, _ in fields)

        def convert_record(value: Any) -> Any:
            if not isinstance(value, dict):
                raise RecordError("", f"expected a mapping for {tp.__name__}, got {type(value).__name__}")
            if not known.issuperset(value):
                unknown = sorted(set(value) - known, key=key_text)
                raise RecordError(key_text(unknown[0]), f"unknown field in {tp.__name__}")
            kwargs = {}
            name = ""
            try:
                for name, convert, required in fields:
                    if name in value:
                        kwargs[name] = convert(value[name])
                    elif required:
                        raise RecordError("", "missing required field")
            except RecordError as exc:
                raise exc.within(name) from None
            return tp(**kwargs)

        return convert_record
    if tp is bool:

        def convert_bool(value: Any) -> Any:
            if not isinstance(value, bool):
                raise RecordError("", f"expected true/false, got {show(value)}")
            return value

        return convert_bool
    if tp is int:

        def convert_int(value: Any) -> Any:
            if isinstance(value, bool) or not isinstance(value, int):
                raise RecordError("", f"expected an integer, got {show(value)}")
            return value

        return convert_int
    if tp is str:

        def convert_str(value: Any) -> Any:
            if not isinstance(value, str):
                raise RecordError("", f"expected text, got {type(value).__name__} {show(value)}")
            return value

        return convert_str
    if tp is Any:
        return lambda value: value
    raise TypeError(f"from_dict: unsupported type {tp!r}")


def _join(path: str, name: str) -> str:
    if not path or not name:
        return path or name
    return f"{path}{name}" if name.startswith("[") else f"{path}.{name}"


def _name(tp: Any) -> str:
    names = []
    for option in typing.get_args(tp):
        if typing.get_origin(option) is Annotated:
            option = typing.get_args(option)[0]
        names.append(getattr(option, "__name__", str(option)))
    return " or ".join(names)
