"""The gazette's own text as HTML, every character shown as written.

The record body is read back into blocks (``generator.model.body``); ``body_html`` writes the
HTML itself, with every character of the text escaped, so that no Markdown or HTML processor
ever interprets the gazette's words: a ``*`` stays a star, ``&amp;`` stays as printed, and ``4.``
stays item 4. Pages put the result in a raw HTML block, which Python-Markdown passes through.
"""

from __future__ import annotations

import html
import json
import re

from markdown.extensions.toc import unique

from generator.model.body import blocks


def body_html(body: str, min_level: int = 3) -> str:
    """The record body ``body`` as HTML; headings shifted so that the highest is ``h{min_level}``."""
    found = blocks(body)
    levels = [b.level for b in found if b.kind == "heading"]
    shift = max(0, min_level - min(levels)) if levels else 0
    out = []
    for block in found:
        if block.kind == "heading":
            level = min(block.level + shift, 6)
            out.append(f'<h{level} class="gz-text">{_escape(block.lines[0])}</h{level}>')
        elif block.kind == "table":
            out.append(_table(block.rows))
        else:
            out.append("<p>" + "<br>".join(_escape(line) for line in block.lines) + "</p>")
    return '<div class="gz-text">\n' + "\n".join(out) + "\n</div>"


def table_html(head: list[str], body: list[list[str]]) -> str:
    """A table of the gazette's cells, each shown as written."""
    return _table([head, *body])


def _table(rows: list[list[str]]) -> str:
    head, body = rows[0], rows[1:]
    parts = ['<table class="gz-text">', "<thead><tr>"]
    parts += [f"<th>{_escape(c)}</th>" for c in head]
    parts.append("</tr></thead>\n<tbody>")
    for row in body:
        parts.append("<tr>" + "".join(f"<td>{_escape(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _escape(text: str) -> str:
    """Every character shown as written: HTML-escaped, and nothing a later Markdown pass could read."""
    return html.escape(text, quote=True).replace("*", "&#42;").replace("_", "&#95;").replace("`", "&#96;")


# ---------------------------------------------------------------- HTML handed to MkDocs rendered

# A page source marks HTML it carries ready-made with these two lines; the plugin sets each
# such block aside before Python-Markdown runs (``set_aside``) and puts it back into the HTML
# Python-Markdown made (``put_back``), so that Markdown reads only the headings around them.
# Without the plugin, Markdown would pass the block through as raw HTML all the same.
HTML_OPEN = "<!-- gazette:html -->"
HTML_CLOSE = "<!-- /gazette:html -->"


def html_block(html_text: str) -> str:
    """``html_text`` (complete HTML) marked to be handed to MkDocs as it is."""
    return f"{HTML_OPEN}\n{html_text.strip(chr(10))}\n{HTML_CLOSE}"


def set_aside(markdown: str, nonce: str) -> tuple[str, list[str]]:
    """``markdown`` with each marked HTML block replaced by a paragraph of one placeholder word
    (``nonce`` keeps it apart from any text), and the blocks in order."""
    # a block: from a line that is HTML_OPEN to the next line that is HTML_CLOSE (as the regex
    # ^OPEN\n(.*?)\nCLOSE$ with re.S | re.M finds it; str.find takes a tenth of its time)
    blocks: list[str] = []
    out: list[str] = []
    done = at = 0
    opening, closing = HTML_OPEN + "\n", "\n" + HTML_CLOSE
    while (start := markdown.find(opening, at)) != -1:
        at = start + 1
        if start and markdown[start - 1] != "\n":
            continue
        end = markdown.find(closing, start + len(opening))
        while end != -1 and end + len(closing) < len(markdown) and markdown[end + len(closing)] != "\n":
            end = markdown.find(closing, end + 1)
        if end == -1:
            continue
        blocks.append(markdown[start + len(opening) : end])
        out += [markdown[done:start], f"\n{nonce}x{len(blocks) - 1}x\n"]
        done = at = end + len(closing)
    out.append(markdown[done:])
    return "".join(out), blocks


def put_back(html_text: str, blocks: list[str], nonce: str) -> str:
    """The HTML Python-Markdown made from ``set_aside``'s Markdown, with the blocks back in place."""
    if not blocks:
        return html_text
    return re.sub(
        rf"<p>{re.escape(nonce)}x(\d+)x</p>",
        lambda match: blocks[int(match.group(1))],
        html_text,
    )


# A generated page, once its blocks are set aside, is mostly headings and placeholders. For such a
# page ``headings_html`` makes what Python-Markdown would (its ``toc`` extension with permalinks
# included), in a tenth of a millisecond instead of two. It declines, returning None, whatever it
# is not sure of: a line that is neither a heading nor a lone placeholder, a heading holding a
# character Markdown might read (``*``, ``&``, ``[``, ``<``, a backslash...). tests/test_build.py
# checks the sample site made with it the same as MkDocs alone makes it; tests/
# test_mkdocs_internals.py checks it against Python-Markdown on awkward headings.
_HEADING_LINE = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t]*")
_HEADING_ID = re.compile(r"(.*?) \{ #([a-z][a-z0-9-]*) \}")  # attr_list: ``## 人事任免 { #appointments }``
_MARKDOWN_SIGNS = re.compile(r"[\\`*_\[\]<>&{}#:|~!^=+\"'$]")


def headings_html(markdown: str, nonce: str, slugify) -> tuple[str, list[dict], str | None] | None:
    """(HTML, flat table-of-contents tokens, title) of ``markdown`` (as ``set_aside`` left it),
    as Python-Markdown with the ``toc`` extension (``permalink: true``, ``slugify``) and
    ``attr_list`` (a heading's ``{ #id }``) makes them; None when the page holds anything else."""
    placeholder = re.compile(rf"{re.escape(nonce)}x\d+x")
    lines: list[tuple[int, str, str | None] | str] = []  # headings (level, text, id) and placeholders
    previous_blank = True
    for line in markdown.split("\n"):
        if not line:
            previous_blank = True
            continue
        heading = _HEADING_LINE.fullmatch(line)
        if heading:
            text, anchor = heading.group(2), None
            explicit = _HEADING_ID.fullmatch(text)
            if explicit:
                text, anchor = explicit.groups()
            if not text or _MARKDOWN_SIGNS.search(text) or text != text.strip():
                return None
            lines.append((len(heading.group(1)), text, anchor))
        elif previous_blank and placeholder.fullmatch(line):  # a line of spaces is declined here
            lines.append(line)
        else:
            return None
        previous_blank = heading is not None
    used = {item[2] for item in lines if isinstance(item, tuple) and item[2]}  # as toc finds them first
    counters: dict[str, int] = {}
    out: list[str] = []
    tokens: list[dict] = []
    for item in lines:
        if isinstance(item, str):
            out.append(f"<p>{item}</p>")
            continue
        level, text, anchor = item
        name = " ".join(text.split())  # as toc.strip_tags gives it
        if anchor is None:
            anchor = unique(slugify(name, "-"), used, counters)
        tokens.append({"level": level, "id": anchor, "name": name, "html": text, "data-toc-label": ""})
        out.append(
            f'<h{level} id="{anchor}">{text}<a class="headerlink" href="#{anchor}" '
            f'title="Permanent link">&para;</a></h{level}>'
        )
    title = tokens[0]["name"] if tokens and out[0].startswith("<h1") else None
    return "\n".join(out), tokens, title


# What a generated page tells machines (its ``<head>``: description, Open Graph, JSON-LD; see
# generator/site/metadata.py) rides in the page source's first line as JSON in an HTML comment,
# not in the YAML front matter: MkDocs reads front matter with PyYAML's pure-Python loader, which
# cost about 1 ms a page for these 80 lines. The plugin takes the line out before Markdown.
HEAD_OPEN, HEAD_CLOSE = "<!-- gazette:head ", " -->"


def head_line(head: dict) -> str:
    """``head`` as that line; ``<``, ``>`` and ``&`` escaped inside the JSON so that nothing in it
    can close the comment."""
    data = json.dumps(head, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"{HEAD_OPEN}{data}{HEAD_CLOSE}\n"


def take_head(markdown: str) -> tuple[str, dict | None]:
    """(the Markdown without its head line, the head) when it starts with one."""
    if not markdown.startswith(HEAD_OPEN):
        return markdown, None
    line, _, rest = markdown.partition("\n")
    if not line.endswith(HEAD_CLOSE):
        return markdown, None
    return rest, json.loads(line[len(HEAD_OPEN) : -len(HEAD_CLOSE)])
