"""What every phase of parsing one gazette shares: a source line (``Line``), the parse context
(``_Ctx``: problems found, coverage per part of the source, extraction artefacts already recorded)
and the stored-text helpers that remove extraction artefacts and record each removal in it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from generator.ingest.textutil import (
    Edit,
    apply_edits,
    describe_edits,
    line_artefacts,
    spaceless,
    span_artefacts,
)
from generator.model.models import Problem
from generator.model.publishers import Publisher, Registry

Line = tuple[int, str]  # (source line number, text)


@dataclass
class _Ctx:
    registry: Registry
    problems: list[Problem] = field(default_factory=list)
    publisher: Publisher | None = None
    doc_wrap: int = 0  # hard-wrap width of the document being parsed
    bucket: str = "front"  # coverage is counted per part of the source: front matter, each segment
    represented_by: dict[str, list[str]] = field(default_factory=dict)  # raw text a field stands for
    noise_by: dict[str, list[str]] = field(default_factory=dict)  # dropped on purpose
    corrected: Counter = field(default_factory=Counter)  # (line, artefact, replacement) already recorded

    @property
    def represented(self) -> list[str]:
        return self.represented_by.setdefault(self.bucket, [])

    @property
    def noise(self) -> list[str]:
        return self.noise_by.setdefault(self.bucket, [])

    def problem(self, severity: str, code: str, message: str, line: int = 0) -> None:
        self.problems.append(Problem(severity, code, message, line))

    def artefact(self, line: int, text: str, edits: list[Edit]) -> None:
        """Record the extraction artefacts removed from ``text`` (source line ``line``) as a Problem naming
        the original, once per artefact however many fields the line feeds; count what went as noise."""
        fresh: list[Edit] = []
        used: Counter = Counter()
        for edit in edits:
            key = (line, text[edit.start : edit.end], edit.replacement)
            used[key] += 1
            if used[key] > self.corrected[key]:
                fresh.append(edit)
        for key, count in used.items():
            self.corrected[key] = max(self.corrected[key], count)
        if not fresh:
            return
        self.problem("info", "extraction-artefact", "提取残留已更正：" + describe_edits(text, fresh), line)
        removed = Counter(spaceless("".join(text[e.start : e.end] for e in fresh))) - Counter(
            spaceless("".join(e.replacement for e in fresh))
        )
        if removed:
            self.noise.append("".join(removed.elements()))

    def codes(self) -> tuple[str, ...]:
        if self.publisher and self.publisher.agency_codes:
            return self.publisher.agency_codes
        return self.registry.all_codes()


# ---------------------------------------------------------------- stored text
#
# What a record stores is the text as printed. ``clean_artefacts`` (everything Markdown-, HTML- or
# TeX-looking removed) is for recognising and matching lines only; stored text goes through
# ``_faithful``, which removes only demonstrable extraction artefacts and records each removal.


def _line_faithful(ctx: _Ctx, n: int, text: str) -> str:
    """One source line as stored: line-anchored artefacts (``- ``, ``**…**``, ``<p>…</p>``) removed and recorded."""
    edits = line_artefacts(text)
    if not edits:
        return text
    ctx.artefact(n, text, edits)
    return apply_edits(text, edits)


def _span_faithful(ctx: _Ctx, text: str, starts: list[tuple[int, int]]) -> str:
    """A joined text (paragraph, title) as stored: TeX and a whole-text bold pair removed, each removal
    recorded on the source line it came from (``starts``: offset in ``text`` → source line)."""
    edits = span_artefacts(text)
    if not edits:
        return text
    by_line: dict[int, list[Edit]] = {}
    for edit in edits:
        line = next((n for offset, n in reversed(starts) if offset <= edit.at), starts[0][1] if starts else 0)
        by_line.setdefault(line, []).append(edit)
    for line, group in by_line.items():
        ctx.artefact(line, text, group)
    return apply_edits(text, edits)


def _faithful(ctx: _Ctx, lines: list[Line], sep: str = " ") -> str:
    """Source lines joined by ``sep`` as stored: the text as printed, less recorded extraction artefacts."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for n, t in lines:
        kept = _line_faithful(ctx, n, t)
        starts.append((offset, n))
        parts.append(kept)
        offset += len(kept) + len(sep)
    return _span_faithful(ctx, sep.join(parts), starts)
