"""Phase 4 of parsing a gazette: one document, from its segment's lines to a Document record.

``_parse_document`` runs the steps in the order the parts are printed: the number line, the title, the
recipients (主送机关), then one walk over the rest of the lines, where each line is taken by the first
step that recognises it (publication note, printing date, signature, attachment list) or else is body
text (and may mark where an attachment starts); then the main body and each attachment as Markdown,
their tables collected on the way (``markdown.py``)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from generator.ingest.context import Line, _Ctx, _faithful
from generator.ingest.dates import DATE_RE, is_date_line, parse_date
from generator.ingest.docnumbers import correct_doc_number, parse_doc_number_line
from generator.ingest.markdown import _markdown, _wrap_width
from generator.ingest.patterns import (
    ATTACHMENT_LABEL_RE,
    ATTACHMENT_LIST_RE,
    BLOCK_START_RE,
    DOC_TYPES,
    HEADING1_RE,
    ISSUER_RE,
    LIST_ITEM_RE,
    PRINTED_RE,
    PUBLIC_RE,
    RED_HEADER_RE,
    SIGNER_LINE_RE,
    _excerpt,
    _title_key,
    _title_like,
    title_ratio,
)
from generator.ingest.textutil import clean_artefacts, join_cjk, spaceless
from generator.model.models import Attachment, DocNumber, Document, Table
from generator.model.publishers import Registry

PLAN_TITLE_END_RE = re.compile(
    r"(方案|办法|规划|计划|意见|细则|规定|规则|名单|标准|制度|要点|清单|目录|表|纲要|预案|措施|通知|决定)[）)]?\**$"
)


def _parse_document(seg: list[Line], anchor: int, ctx: _Ctx) -> Document:
    """A document's lines (title first; ``anchor`` = index of the number line, -1 if none)."""
    line_no = seg[0][0]
    header_issuer, seg, anchor = _take_red_header(seg, anchor, ctx)
    number = _doc_number(seg, anchor, ctx)
    title_lines, rest = _split_title(seg, anchor)
    title = _title(ctx, title_lines)
    ctx.represented.extend(t for _, t in title_lines)
    issuer = _issuer_of(title, ctx) or header_issuer
    doc = Document(
        document_id="",
        seq=0,
        section="",
        title=title,
        doc_type=_doc_type(title),
        doc_number=number,
        issuer=issuer,
        line=line_no,
    )
    rest = _take_recipients(doc, rest, ctx)
    ctx.doc_wrap = _wrap_width([clean_artefacts(t) for _, t in rest])
    walk = _walk_lines(doc, rest, issuer, ctx)
    if not walk.signature_done:
        _take_date_signature(walk)
    doc.attachment_titles = walk.listed
    if not doc.signed_on:
        ctx.problem("info", "no-signing-date", f"未找到成文日期：{_excerpt(title)}", line_no)
    tables: list[Table] = []
    doc.body = _main_body(walk, tables)
    _add_attachments(walk, tables)
    doc.tables = tables
    return doc


# ---------------------------------------------------------------- red header, number, title, recipients


def _take_red_header(seg: list[Line], anchor: int, ctx: _Ctx) -> tuple[str, list[Line], int]:
    """The red header (发文机关标志: 济南市人民政府文件) and a 签发人 line at the top of a document:
    (the issuing body it names, the lines after them, the number line's index among those). The
    body's name is the issuer when the title names none; the word 文件 is counted as dropped."""
    taken = 0
    issuer = ""
    while taken < len(seg) and taken < 3 and taken != anchor:
        flat = spaceless(clean_artefacts(seg[taken][1]))
        header = RED_HEADER_RE.match(flat)
        if header and not issuer:
            issuer = join_cjk(_faithful(ctx, [seg[taken]]))
            issuer = issuer[: issuer.rindex("文件")].rstrip()
            ctx.represented.append(issuer)
            ctx.noise.append("文件")
        elif SIGNER_LINE_RE.match(flat) and issuer:
            ctx.noise.append(seg[taken][1])  # who signed it off: not kept in the record
        else:
            break
        taken += 1
    if not taken:
        return "", seg, anchor
    return issuer, seg[taken:], anchor - taken if anchor >= 0 else -1


def _doc_number(seg: list[Line], anchor: int, ctx: _Ctx) -> DocNumber | None:
    """The number (发文字号) on the number line, its agency code corrected against the known codes."""
    if anchor < 0:
        return None
    number = parse_doc_number_line(seg[anchor][1])
    ctx.represented.append(seg[anchor][1])
    if number:
        fixed = correct_doc_number(number, ctx.codes(), seg[anchor][0])
        number = fixed.number
        if fixed.problem:
            ctx.problems.append(fixed.problem)
    return number


def _split_title(seg: list[Line], anchor: int) -> tuple[list[Line], list[Line]]:
    """(title lines, the lines after the title and the number line): the title is printed above the
    number line, or after it up to the recipients; without a number, see ``_split_untitled``."""
    if anchor > 0:
        return seg[:anchor], seg[anchor + 1 :]
    if anchor == 0:  # number before the title: title runs to the recipients line
        rest = seg[1:]
        title_lines: list[Line] = []
        while rest and len(title_lines) < 3 and _title_like(rest[0][1]) and not _is_recipients(rest[0][1]):
            title_lines.append(rest.pop(0))
        return title_lines, rest
    return _split_untitled(seg)


def _title(ctx: _Ctx, lines: list[Line]) -> str:
    """A title printed over ``lines``, as stored: wrap spaces between CJK characters dropped."""
    return join_cjk(_faithful(ctx, lines))


def _take_recipients(doc: Document, rest: list[Line], ctx: _Ctx) -> list[Line]:
    """主送机关 (``各镇人民政府，各街道办事处：``) on the first line, or wrapped over the first two, into
    ``doc.recipients``; returns the lines after them."""
    if rest and _is_recipients(rest[0][1]):
        doc.recipients = join_cjk(_faithful(ctx, rest[:1])).rstrip("：:")
        ctx.represented.append(rest[0][1])
        return rest[1:]
    if (
        len(rest) > 1
        and _is_recipients(rest[0][1] + rest[1][1])
        and "。" not in rest[0][1]
        and len(spaceless(rest[0][1])) <= 60
        and not BLOCK_START_RE.match(rest[0][1])
    ):
        doc.recipients = join_cjk(_faithful(ctx, rest[:2], sep="")).rstrip("：:")
        ctx.represented.extend([rest[0][1], rest[1][1]])
        return rest[2:]
    return rest


# ---------------------------------------------------------------- the walk over the rest of the lines


@dataclass
class _Walk:
    """The walk over a document's lines after its title and recipients: which lines are body text,
    where the signature ends, which attachments the list names and where each attachment starts."""

    doc: Document
    rest: list[Line]
    issuer: str  # from the title
    ctx: _Ctx
    body_lines: list[Line] = field(default_factory=list)  # the main body's and the attachments' lines
    after_signature: int = -1  # index in body_lines of the first line after the signature
    # (index in body_lines, index of the listed title it prints, or "" when it starts at a label line)
    attachment_starts: list[tuple[int, int | str]] = field(default_factory=list)
    signature_done: bool = False
    listed: list[str] = field(default_factory=list)  # the titles the attachment list (附件：1. …) names


def _walk_lines(doc: Document, rest: list[Line], issuer: str, ctx: _Ctx) -> _Walk:
    """Each line is taken by the first of ``_STEPS`` that recognises it (a step returns the index of
    the line after what it took, or None); a line none takes is body text."""
    walk = _Walk(doc, rest, issuer, ctx)
    i = 0
    while i < len(rest):
        c = clean_artefacts(rest[i][1])
        flat = spaceless(c)
        for step in _STEPS:
            after = step(walk, i, flat)
            if after is not None:
                i = after
                break
        else:
            _mark_attachment_start(walk, i, c, flat)
            walk.body_lines.append(rest[i])
            i += 1
    return walk


def _take_public_note(walk: _Walk, i: int, flat: str) -> int | None:
    """（此件公开发布） / （此件不予公开）: whether the document is public (the first such note)."""
    public = PUBLIC_RE.match(flat)
    if public and walk.doc.public is None:
        note = public.group(1)  # 公开发布, 主动公开, 不予公开, 依申请公开; 发至县级 says who receives it
        if "公开" in note:
            walk.doc.public = "不" not in note and "依申请" not in note
        walk.ctx.represented.append(walk.rest[i][1])
        return i + 1
    return None


def _take_printed_date(walk: _Walk, i: int, flat: str) -> int | None:
    """（2021年3月1日印发）: the date the document was printed (the first such line)."""
    printed = PRINTED_RE.match(flat)
    if printed and not walk.doc.printed_on:
        walk.doc.printed_on = parse_date(printed.group(1))
        walk.ctx.represented.append(walk.rest[i][1])
        return i + 1
    return None


def _take_signature(walk: _Walk, i: int, flat: str) -> int | None:
    """The first signature (the issuer's name, the date within 2 lines): the signing date, and the
    issuer when the title names none; text printed between the name and the date stays body text."""
    if walk.signature_done:
        return None
    doc, rest, ctx = walk.doc, walk.rest, walk.ctx
    sig = _signature_at(rest, i, doc.issuer or walk.issuer, ctx)
    if sig is None:
        return None
    issuer_idx, date_idx = sig
    doc.signed_on = parse_date(rest[date_idx][1])
    signer = join_cjk(_faithful(ctx, [rest[issuer_idx]]))
    if issuer_idx == date_idx:  # name and date on one line: the name is what precedes the date
        signer = join_cjk(_SIGNER_AND_DATE_RE.match(clean_artefacts(rest[issuer_idx][1])).group(1))
    if not doc.issuer:
        doc.issuer = signer
    ctx.represented.extend([rest[issuer_idx][1], rest[date_idx][1]])
    for k in range(issuer_idx + 1, date_idx):  # text printed between name and date
        walk.body_lines.append(rest[k])
    walk.signature_done = True
    walk.after_signature = len(walk.body_lines)
    return date_idx + 1


def _take_attachment_list(walk: _Walk, i: int, flat: str) -> int | None:
    """附件：1. … 2. …: the titles it lists; its lines stay body text."""
    if not ATTACHMENT_LIST_RE.match(flat):
        return None
    items, used = _attachment_list(walk.rest, i, walk.ctx)
    walk.listed.extend(items)
    for k in range(i, i + used):
        walk.body_lines.append(walk.rest[k])
    return i + used


def _take_date_signature(walk: _Walk) -> None:
    """A signature without the issuer's name (the seal alone, or the name lost to OCR): a line that
    is only a date, the last of the main body."""
    end = walk.attachment_starts[0][0] if walk.attachment_starts else len(walk.body_lines)
    if end == 0 or not is_date_line(clean_artefacts(walk.body_lines[end - 1][1])):
        return
    date_line = walk.body_lines.pop(end - 1)
    walk.doc.signed_on = parse_date(date_line[1])
    walk.ctx.represented.append(date_line[1])
    walk.attachment_starts = [(start - 1, hit) for start, hit in walk.attachment_starts]
    walk.signature_done = True
    walk.after_signature = end - 1


# The steps of the walk, in the order they are tried on each line.
_STEPS = (_take_public_note, _take_printed_date, _take_signature, _take_attachment_list)


def _mark_attachment_start(walk: _Walk, i: int, c: str, flat: str) -> None:
    """A body line that starts an attachment: a label (附件1) after an attachment list or the
    signature, or (no label printed) a title the attachment list names, after the signature."""
    rest, listed, starts = walk.rest, walk.listed, walk.attachment_starts
    label = ATTACHMENT_LABEL_RE.match(flat)
    if label and (listed or walk.signature_done):
        starts.append((len(walk.body_lines), ""))
    elif listed and walk.signature_done and _title_like(rest[i][1]) and not BLOCK_START_RE.match(c):
        following = rest[i + 1][1] if i + 1 < len(rest) else ""
        hit = _listed_match([c, c + clean_artefacts(following)], listed)
        previous = walk.body_lines[-1][1] if walk.body_lines else ""
        if (
            hit is not None
            and not ATTACHMENT_LABEL_RE.match(spaceless(clean_artefacts(previous)))
            and hit not in {h for _, h in starts if isinstance(h, int)}
        ):
            starts.append((len(walk.body_lines), hit))


# ---------------------------------------------------------------- main body and attachments as Markdown


def _main_body(walk: _Walk, tables: list[Table]) -> str:
    """The body lines before the first attachment as Markdown; the title of a plan printed after the
    signature (…实施方案) becomes a heading."""
    ctx, body_lines, after_signature = walk.ctx, walk.body_lines, walk.after_signature
    main = body_lines[: walk.attachment_starts[0][0]] if walk.attachment_starts else body_lines
    if 0 <= after_signature < len(main):
        title_end = _plan_title_end(main, after_signature)
        parts = [_markdown(main[:after_signature], ctx, tables)]
        if title_end > after_signature:
            ctx.represented.extend(t for _, t in main[after_signature:title_end])
            parts.append("## " + _title(ctx, main[after_signature:title_end]))
        parts.append(_markdown(main[title_end:], ctx, tables))
        return "\n\n".join(p for p in parts if p)
    return _markdown(main, ctx, tables)


def _add_attachments(walk: _Walk, tables: list[Table]) -> None:
    """Each attachment, from where it starts to where the next one does, to ``doc.attachments``."""
    starts, listed = walk.attachment_starts, walk.listed
    for k, (start, inferred) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(walk.body_lines)
        label = "" if inferred == "" else (f"附件{inferred + 1}" if len(listed) > 1 else "附件")
        walk.doc.attachments.append(_attachment(walk.body_lines[start:end], listed, walk.ctx, tables, label))


# ---------------------------------------------------------------- helpers of the steps


def _plan_title_end(lines: list[Line], start: int) -> int:
    """The title of the printed plan after a notice's signature (方案, 办法 …): short lines, no punctuation."""
    end = start
    while end < len(lines) and end - start < 4:
        text = clean_artefacts(lines[end][1])
        if (
            not _title_like(lines[end][1])
            or any(ch in text for ch in "，。；：、")
            or BLOCK_START_RE.match(text)
        ):
            break
        if end > start and (
            len(spaceless(text)) > 24
            or PLAN_TITLE_END_RE.search(spaceless(" ".join(t for _, t in lines[start:end])))
            or not PLAN_TITLE_END_RE.search(spaceless(" ".join(t for _, t in lines[start : end + 1])))
        ):
            break
        end += 1
    return end


def _split_untitled(seg: list[Line]) -> tuple[list[Line], list[Line]]:
    """A document without a number: title lines run until the recipients or the first sentence."""
    title: list[Line] = []
    rest = list(seg)
    while rest and len(title) < 3 and _title_like(rest[0][1]) and not _is_recipients(rest[0][1]):
        title.append(rest.pop(0))
        if rest and not _title_like(rest[0][1]):
            break
    return title, rest


# A line ending with a colon that opens the body, not a list of recipients: 为保障…，现就有关事项通告如下：
_OPENING_RE = re.compile(r"^(?:为|根据|依据|按照|依照|经|现|近日|近期|当前|目前)|如下[：:]$")


def _is_recipients(text: str) -> bool:
    t = clean_artefacts(text)
    return (
        (t.endswith("：") or t.endswith(":"))
        and len(spaceless(t)) <= 120
        and "。" not in t
        and not BLOCK_START_RE.match(t)
        and not HEADING1_RE.match(t)
        and not _OPENING_RE.search(spaceless(t))
    )


def _issuer_of(title: str, ctx: _Ctx) -> str:
    if "关于" in title[1:]:
        head = title[: title.index("关于", 1)]
        if ISSUER_RE.match(head) or ctx.registry.find(head):
            return head
    match = ISSUER_RE.match(title)
    if match and ctx.registry.find(match.group(0)):
        return match.group(0)
    return ""


def _doc_type(title: str) -> str:
    t = re.sub(r"[（(][^()（）]*[)）]$", "", title).rstrip('》”"')
    for kind in DOC_TYPES:
        if t.endswith(kind):
            return "命令" if kind == "令" else kind
    return ""


def _signature_at(rest: list[Line], i: int, issuer: str, ctx: _Ctx) -> tuple[int, int] | None:
    """(issuer line, date line) when a signature starts at ``i``: the name, then the date within 2 lines."""
    t = clean_artefacts(rest[i][1])
    flat = spaceless(t)
    # 国务院办公厅    2021年12月10日; the pattern's date needs 年 and 日, most lines have neither
    same_line = "年" in t and "日" in t and _SIGNER_AND_DATE_RE.match(t)
    if same_line and _signer_like(spaceless(same_line.group(1)), issuer, ctx):
        return i, i
    if not _signer_like(flat, issuer, ctx):
        return None
    for k in range(i + 1, min(i + 3, len(rest))):
        if is_date_line(rest[k][1]):
            return i, k
    return None


_SIGNER_AND_DATE_RE = re.compile(rf"^(\S.{{1,40}}?)\s+({DATE_RE.pattern})\s*$")


def _signer_like(flat: str, issuer: str, ctx: _Ctx) -> bool:
    if not flat or len(flat) > 40 or any(ch in flat for ch in "，。；：,;:"):
        return False
    if issuer and flat == spaceless(issuer):
        return True
    publisher = ctx.registry.find(flat)
    if publisher and flat in {spaceless(n) for n in publisher.names} | {publisher.name + "办公室"}:
        return True
    return bool(_SIGNER_NAME_RE.fullmatch(flat))


_SIGNER_NAME_RE = re.compile(
    r"[\u4e00-\u9fff]{2,30}(人民政府|人民政府办公室|办公室|办公厅|委员会|管委会|局|办事处|"
    r"[省市县区州旗]委|党委|党工委)"
)


def _attachment_list(rest: list[Line], i: int, ctx: _Ctx) -> tuple[list[str], int]:
    """附件：1. … 2. … → titles as printed; returns (titles, lines used). Lines are recognised by
    their cleaned text, titles taken from their stored (faithful) text."""
    first = ATTACHMENT_LIST_RE.match(spaceless(clean_artefacts(rest[i][1]))).group(1)
    first_text = re.sub(r"^附\s*件\s*[：:]\s*", "", clean_artefacts(rest[i][1]))
    first_kept = re.sub(r"^附\s*件\s*[：:]\s*", "", _faithful(ctx, [rest[i]]).strip())
    items: list[str] = []
    used = 1
    item = LIST_ITEM_RE.match(first_text)
    if item:
        items.append(join_cjk(_list_item(first_kept, item)))
        expected = int(item.group(1)) + 1
    elif first:
        items.append(join_cjk(first_kept))
        expected = -1
    else:
        return [], 1
    while i + used < len(rest):
        nxt = clean_artefacts(rest[i + used][1])
        match = LIST_ITEM_RE.match(nxt)
        if match and expected > 0 and int(match.group(1)) == expected:
            items.append(join_cjk(_list_item(_faithful(ctx, [rest[i + used]]).strip(), match)))
            expected += 1
            used += 1
            continue
        # a wrapped item title: short continuation without sentence punctuation
        if (
            items
            and "\t" not in rest[i + used][1]
            and not BLOCK_START_RE.match(nxt)
            and len(spaceless(nxt)) <= 10
            and not any(ch in nxt for ch in "，。；（(")
            and not is_date_line(nxt)
            and not _signer_like(spaceless(nxt), "", _NO_CTX)
        ):
            items[-1] = join_cjk(items[-1] + _faithful(ctx, [rest[i + used]]).strip())
            used += 1
            continue
        break
    return items, used


def _list_item(kept: str, cleaned: re.Match) -> str:
    """The title of a numbered list item (``1.济宁市…名单``, recognised by its cleaned text) from its
    stored text; the whole stored text when that does not read as the same item (``**1.…``)."""
    match = LIST_ITEM_RE.match(kept)
    return match.group(2) if match and match.group(1) == cleaned.group(1) else kept


class _NoCtx:
    registry = Registry([])


_NO_CTX = _NoCtx()


def _listed_match(texts: list[str], listed: list[str]) -> int | None:
    """Index of the listed attachment title that one of ``texts`` prints (allowing small OCR differences)."""
    best, best_ratio = None, 0.0
    others = [_cached_title_key(title) for title in listed]
    for text in texts:
        key = _title_key(text)
        if len(key) < 4:
            continue
        for k, other in enumerate(others):
            ratio = title_ratio(key, other, max(0.85, best_ratio))  # one that could not win: 0.0
            if ratio > best_ratio:
                best, best_ratio = k, ratio
    return best if best_ratio >= 0.85 else None


# A listed title's key is asked for at every title-like line after the signature: computed once.
_cached_title_key = functools.lru_cache(maxsize=4096)(_title_key)


def _attachment(
    lines: list[Line], listed: list[str], ctx: _Ctx, tables: list[Table], label: str = ""
) -> Attachment:
    """An attachment from its label line (附件1), or from its title when the label was not printed."""
    n = lines[0][0]
    if label:
        rest = lines
    else:
        label = spaceless(_faithful(ctx, lines[:1])).rstrip("：:")
        ctx.represented.append(lines[0][1])
        rest = lines[1:]
    title_lines = _attachment_title_lines(rest, listed)
    title = _title(ctx, title_lines)
    ctx.represented.extend(t for _, t in title_lines)
    body = _markdown(rest[len(title_lines) :], ctx, tables)
    return Attachment(label=label, title=title, body=body, line=n)


def _attachment_title_lines(rest: list[Line], listed: list[str]) -> list[Line]:
    if not rest or not _title_like(rest[0][1]) or BLOCK_START_RE.match(clean_artefacts(rest[0][1])):
        return []
    keys = [_title_key(t) for t in listed]
    taken = [rest[0]]
    bold_open = rest[0][1].lstrip("- ").startswith("**") and not rest[0][1].rstrip().endswith("**")
    j = 1
    while j < len(rest) and j < 4:
        candidate = _title_key(" ".join(t for _, t in taken + [rest[j]]))
        if bold_open:
            taken.append(rest[j])
            if rest[j][1].rstrip().endswith("**"):
                bold_open = False
            j += 1
            continue
        if (
            _title_like(rest[j][1])
            and candidate
            and (
                any(k.startswith(candidate) for k in keys)
                or (
                    len(spaceless(rest[j][1])) <= 16
                    and not BLOCK_START_RE.match(clean_artefacts(rest[j][1]))
                    and _similarity(candidate, keys)
                    > _similarity(_title_key(" ".join(t for _, t in taken)), keys) + 0.05
                )
            )
        ):
            taken.append(rest[j])
            j += 1
            continue
        break
    return taken


def _similarity(key: str, keys: list[str]) -> float:
    """The best ``SequenceMatcher`` ratio of ``key`` to one of ``keys``."""
    best = 0.0
    for k in keys:
        best = max(best, title_ratio(key, k, best))  # one that cannot beat the best: 0.0
    return best
