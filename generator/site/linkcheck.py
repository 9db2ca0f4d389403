"""Internal link check over a built site: every href/src that stays on the site must resolve to a file."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class BrokenLink:
    page: str  # site-relative path of the HTML file
    link: str  # the link as written

    def __str__(self) -> str:
        return f"{self.page}: broken link {self.link}"


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src") and not (tag == "link" and ("rel", "canonical") in attrs):
                self.links.append(value)


def page_links(html: str) -> list[str]:
    parser = _LinkParser()
    parser.feed(html)
    return parser.links


def check_site(site_dir: Path, base_path: str = "/") -> list[BrokenLink]:
    """Broken internal links in every HTML page under ``site_dir``.

    ``base_path`` is the path the site is served from (site_url's path): root-absolute
    links are allowed only under it, as the 404 page needs them.
    """
    site_dir = Path(site_dir)
    broken: list[BrokenLink] = []
    for page in sorted(site_dir.rglob("*.html")):
        rel = page.relative_to(site_dir).as_posix()
        for link in page_links(page.read_text(encoding="utf-8", errors="replace")):
            if not _resolves(site_dir, rel, link, base_path):
                broken.append(BrokenLink(rel, link))
    return broken


def _resolves(site_dir: Path, page: str, link: str, base_path: str = "/") -> bool:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("#", "mailto:", "javascript:", "data:")):
        return True
    if not parts.path:
        return True
    if parts.path.startswith("/"):
        base = base_path.rstrip("/") + "/"
        if not parts.path.startswith(base):
            return False  # outside the site: broken when served from a sub-path
        target = posixpath.normpath(unquote(parts.path[len(base) :]) or ".")
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    if target.startswith(".."):
        return False
    path = site_dir / target
    if parts.path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path.is_file()
