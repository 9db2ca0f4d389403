"""Documents published one by one on government websites → gazette text the parser reads.

Three forms come from the web:

- an HTML page (told by its content: ``<html`` or ``<!doctype html`` near the start): the main
  text is extracted with trafilatura; the page's metadata block (标题/文号/发布机构/成文日期/
  发布日期, a table or list before the text) and its address (canonical link or og:url) are
  read from the page; navigation, breadcrumbs, share buttons and footers stay out;
- text with a header: YAML front matter (``---`` … ``---``) or a crawler's ``标题：…`` lines;
- text with no line breaks at all (one document a line, OCR'd text), cut where the parser
  needs lines: before and after a 文号, after a sentence end, around the signature date.

The header and the metadata block are evidence, not text: they put the title and 文号 lines in
front of the body only when the body lacks them, and never add anything else. Pure: text in,
``WebText`` out; an HTML page with no main text raises ``WebSourceError`` (one line, the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from generator.ingest.patterns import is_site_chrome

HTML_START_RE = re.compile(r"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
HTML_SNIFF_CHARS = 1024

# the metadata block's labels (and the crawler header's keys) → our names
META_KEYS = {
    "标题": "title",
    "名称": "title",
    "文件名称": "title",
    "title": "title",
    "文号": "number",
    "发文字号": "number",
    "doc_number": "number",
    "number": "number",
    "发布机构": "issuer",
    "发文机关": "issuer",
    "发布单位": "issuer",
    "成文日期": "signed",
    "发布日期": "published",
    "发布时间": "published",
    "date": "published",
    "原文链接": "url",
    "原文地址": "url",
    "链接": "url",
    "网址": "url",
    "url": "url",
    "source_url": "url",
    "索引号": "index",
}
HEADER_LINE_RE = re.compile(r"^\s*(" + "|".join(map(re.escape, META_KEYS)) + r")\s*[:：]\s*(.*?)\s*$")
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)

DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,12}[〔［\[（(]\s*\d{4}\s*[〕］\])）]\s*\d{1,4}\s*号")
DATE_RE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
ISSUER_END = "(?:人民政府|政府办公室|办公室|委员会|局|厅|委|办|中心|公司)"
SIGNATURE_DATE_RE = re.compile(
    r"(?<=[。！？；”」])\s*([\u4e00-\u9fff]{2,30}" + ISSUER_END + r")\s*(" + DATE_RE.pattern + r")"
)
PUBLIC_NOTE_RE = re.compile(r"[（(]此件(?:公开发布|主动公开|依申请公开|不予公开)[）)]")


class WebSourceError(ValueError):
    """A web source that yields no document text. The message starts with the file."""


@dataclass
class WebText:
    text: str  # what the parser reads
    url: str = ""  # the page's address, when the source names it
    form: str = ""  # html | front-matter | header | one-line | "" (plain text, unchanged)
    meta: dict[str, str] | None = None


def is_html(text: str) -> bool:
    head = text[:HTML_SNIFF_CHARS].lstrip("\ufeff \t\r\n")
    return bool(HTML_START_RE.search(head))


def prepare(text: str, source_name: str) -> WebText:
    """A decoded source → the text for the parser, with the page address when known."""
    if is_html(text):
        return from_html(text, source_name)
    header, body = split_header(text)
    if header is not None:
        form = "front-matter" if FRONT_MATTER_RE.match(text) else "header"
        body = split_run_on(body) if _is_run_on(body) else body
        return WebText(with_header_lines(body, header), header.get("url", ""), form, header)
    if _is_run_on(text):
        return WebText(split_run_on(text), "", "one-line")
    return WebText(text)


# ---------------------------------------------------------------- headers


def split_header(text: str) -> tuple[dict[str, str] | None, str]:
    """(header, body): YAML front matter, or leading ``键：值`` lines with at least a title or
    number among them; (None, text) when there is neither."""
    text = text.lstrip("\ufeff")
    match = FRONT_MATTER_RE.match(text)
    if match:
        try:
            data = yaml.safe_load(match.group(1))
        except yaml.YAMLError:
            data = None
        if isinstance(data, dict):
            header = {}
            for key, value in data.items():
                name = META_KEYS.get(str(key).strip()) or META_KEYS.get(str(key).strip().lower())
                if name and value is not None and str(value).strip():
                    header.setdefault(name, _clean(str(value)))
            return header, text[match.end() :]
    lines = text.split("\n")
    header: dict[str, str] = {}
    start = len(lines)
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = HEADER_LINE_RE.match(line)
        if not match:
            start = index
            break
        header.setdefault(META_KEYS[match.group(1)], _clean(match.group(2)))
    if "title" in header or "number" in header:
        return header, "\n".join(lines[start:])
    return None, text


def with_header_lines(body: str, header: dict[str, str]) -> str:
    """The title and 文号 lines in front of the body when the body lacks them; nothing else added."""
    lines = body.split("\n")
    compact = _spaceless("".join(lines[:12]))
    title = header.get("title", "")
    number = header.get("number", "")
    add_number = bool(number) and _spaceless(number) not in compact
    if title and _spaceless(title) in compact:
        if add_number:  # after the title's last line
            seen = ""
            for n, line in enumerate(lines):
                seen += _spaceless(line)
                if _spaceless(title) in seen:
                    lines.insert(n + 1, number)
                    break
        front = []
    else:
        front = [title] if title else []
        if add_number:
            front.append(number)
    return "\n".join(front + lines).strip("\n") + "\n"


# ---------------------------------------------------------------- one-line text


def _is_run_on(text: str) -> bool:
    """No line breaks at all in a text long enough to be a document (or a line per document)."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return False
    average = sum(len(line) for line in lines) / len(lines)
    return (len(lines) == 1 and average >= 100) or average >= 300


def split_run_on(text: str) -> str:
    """Cut text without line breaks where the parser needs lines, conservatively: before and
    after a 文号 standing alone (not a citation in brackets), after a sentence end and a
    colon that opens a list, before a signature's issuer and date and after the date, around
    the public note. Nothing is added or removed but the spaces at the cuts."""
    out = []
    for line in text.split("\n"):
        out.extend(_split_line(line))
    return "\n".join(out) + "\n"


def _split_line(line: str) -> list[str]:
    cuts: set[int] = set()
    for match in DOC_NUMBER_RE.finditer(line):
        start = match.start()
        title_end = list(TITLE_END_RE.finditer(match.group()))
        if title_end:  # no space between title and number: the number starts after the title
            start += title_end[-1].end()
        before = line[:start].rstrip()
        after = line[match.end() :].lstrip()
        if before.endswith(("（", "(", "《", "“", "〈")) or after.startswith(("）", ")", "”", "》")):
            continue  # a citation inside the text
        if before and not before.endswith(("。", "）", ")", "：")) and not _title_like(before):
            continue  # inside a sentence, not after a title
        cuts.add(start)
        cuts.add(match.end())
    for match in SIGNATURE_DATE_RE.finditer(line):
        cuts.add(match.start(1))
        cuts.add(match.start(2))
        cuts.add(match.end(2))
    for match in PUBLIC_NOTE_RE.finditer(line):
        cuts.add(match.start())
        cuts.add(match.end())
    for match in TITLE_THEN_TEXT_RE.finditer(line):  # 梁山县人民政府关于…的通告 为改善…
        if _title_like(line[: match.end()].rstrip()):
            cuts.add(match.end())
    for match in re.finditer(r"[。！？](?![”’」）)])|[：:](?=\s*(?:一、|[（(]一[）)]|1[.、．]|\S))", line):
        if line[match.start()] in "：:" and not _opens_list_or_body(line, match.end()):
            continue
        cuts.add(match.end())
    pieces = []
    start = 0
    for cut in sorted(cuts):
        if 0 < cut < len(line):
            pieces.append(line[start:cut])
            start = cut
    pieces.append(line[start:])
    return [p.strip() for p in pieces if p.strip()]


TITLE_END_RE = re.compile(r"(?:通知|通告|决定|意见|办法|方案|规定|公告|批复|报告|函|令)")
# A title, a space, then a sentence: where a document without a number starts its text.
TITLE_THEN_TEXT_RE = re.compile(r"(?:通知|通告|决定|意见|公告|批复|报告)[ \t\u3000]+(?=[\u4e00-\u9fff])")


def _title_like(text: str) -> bool:
    tail = re.split(r"[。！？]", text)[-1].strip()
    return any(m.end() == len(tail) for m in TITLE_END_RE.finditer(tail))


def _opens_list_or_body(line: str, end: int) -> bool:
    """A colon ending recipients (各…：) or an introduction (…如下：)."""
    head = line[:end].rstrip()
    numbers = list(DOC_NUMBER_RE.finditer(head))
    if numbers:  # 梁政办字〔2022〕3号各乡镇人民政府…：the recipients start after the number
        head = head[numbers[-1].end() :]
    before = re.split(r"[。！？\s]", head)[-1]
    return before.lstrip().startswith("各") or before.rstrip("：: ").endswith(
        ("如下", "通告", "公告", "通知")
    )


# ---------------------------------------------------------------- HTML


def from_html(html: str, source_name: str) -> WebText:
    """An HTML page → the document's text: title line, 文号 line, body paragraphs, signature
    and date (as far as the page holds them), with the metadata block and the address."""
    import lxml.html
    import trafilatura

    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise WebSourceError(f"{source_name}: not a readable HTML page ({exc})") from None
    url = _page_url(tree)
    meta = _metadata_block(tree)  # also removes the block from the tree
    for element in tree.xpath(
        "//nav|//header|//footer|//script|//style|//*[contains(@class,'breadcrumb') or "
        "contains(@class,'crumb') or contains(@class,'share') or contains(@class,'footer') or "
        "contains(@class,'nav') or contains(@id,'footer') or contains(@id,'nav')]"
    ):
        if element.getparent() is not None:
            element.getparent().remove(element)
    cleaned = lxml.html.tostring(tree, encoding="unicode")
    body = trafilatura.extract(
        cleaned, output_format="txt", include_tables=True, include_comments=False, favor_precision=True
    )
    if not body or not body.strip():
        raise WebSourceError(
            f"{source_name}: an HTML page with no main text: save the page of the document itself, not a list or search page"
        )
    if not meta.get("title"):
        document = trafilatura.extract_metadata(html)
        if document is not None and document.title:
            meta["title"] = _clean(document.title.split("_")[0])
    if not url:
        document = trafilatura.extract_metadata(html)
        if document is not None and document.url:
            url = document.url
    lines = [_clean(line) for line in body.split("\n")]
    lines = [line for line in lines if line and not is_site_chrome(line)]
    text = with_header_lines("\n".join(lines), meta)
    return WebText(text, url, "html", meta)


def _page_url(tree) -> str:
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        found = [v.strip() for v in tree.xpath(xpath) if v.strip()]
        if found and found[0].startswith(("http://", "https://")):
            return found[0]
    return ""


def _metadata_block(tree) -> dict[str, str]:
    """The 标题/文号/发布机构/成文日期/发布日期 block (a table, list or run of divs holding two
    labels or more): its values, and the block taken out of the tree."""
    labels = "|".join(re.escape(k) for k in META_KEYS if not k.isascii())
    label_re = re.compile(rf"^\s*({labels})\s*[:：]?\s*(.*)$")
    best = None
    for element in tree.xpath("//table|//ul|//dl|//div"):
        text = element.text_content()
        found = sum(1 for k in ("标题", "文号", "发布机构", "成文日期", "发布日期", "索引号") if k in text)
        if found >= 3 and len(text) < 1200:
            if best is None or len(text) < len(best.text_content()):
                best = element
    meta: dict[str, str] = {}
    if best is None:
        return meta
    cells = [
        _clean(c.text_content())
        for c in best.xpath(".//td|.//th|.//li|.//dt|.//dd|.//span|.//p")
        if not c.xpath(".//td|.//li|.//dd|.//span|.//p")
    ]
    pending = None
    for cell in cells:
        match = label_re.match(cell)
        if match:
            pending = META_KEYS[match.group(1)]
            if match.group(2).strip():
                meta.setdefault(pending, _clean(match.group(2)))
                pending = None
        elif pending and cell:
            meta.setdefault(pending, cell)
            pending = None
    if best.getparent() is not None:
        best.getparent().remove(best)
    return meta


def _clean(text: str) -> str:
    return re.sub(r"[ \t\u3000\xa0]+", " ", text).strip()


def _spaceless(text: str) -> str:
    return re.sub(r"\s+", "", text)
