"""Raw source bytes → text: UTF-8 (with or without BOM), GB18030 or Big5, LF line ends.

UTF-16/UTF-32 text (with or without a byte-order mark) is recognised and refused with the
command that converts it; anything else with NUL bytes is binary data.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from pathlib import PurePath

from generator.errors import GazetteError


class SourceError(GazetteError):
    """A source file that is not gazette text. One line, naming the file."""

    def __init__(self, name: str, message: str, line: int = 0):
        where = f"{name}:{line}" if line else name
        super().__init__(f"{where}: {message}")
        self.name = name
        self.line = line


_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
# C0 controls other than tab/LF/CR/FF mean binary data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # control characters no text holds
# Big5: when GB18030 reads a text whose CJK characters are mostly outside GB2312 (simplified
# gazette text is ~99.9 % GB2312; Big5 bytes read as GB18030 about 50 %), and the bytes are
# strict Big5 whose reading is ordinary traditional text.
_GB2312_SHARE = 0.9
_MIN_CJK = 10
_BIG5_CODECS = ("cp950", "big5hkscs")


def decode_source(data: bytes, name: str) -> str:
    """Decode strictly as UTF-8, then GB18030 (or Big5, when the text is Big5); normalise line ends to LF."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise SourceError(name, f"{encoding} text: save it as UTF-8 ({_iconv(encoding, name)})")
    if not data.strip():
        raise SourceError(name, "empty file: no gazette text")
    if b"\x00" in data:
        wide = _wide_encoding(data)
        if wide:
            raise SourceError(
                name, f"{wide} text without a byte-order mark: save it as UTF-8 ({_iconv(wide, name)})"
            )
        raise SourceError(name, "binary data (NUL bytes): not a text file; extract the PDF's text first")
    text = _decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = len(_CONTROL.findall(text))
    if bad > max(3, len(text) // 1000):
        raise SourceError(name, f"binary data ({bad} control characters): not a text file")
    if not text.strip():
        raise SourceError(name, "empty file: no gazette text")
    return text


def _iconv(encoding: str, name: str) -> str:
    path = PurePath(name)
    target = path.with_name(f"{path.stem}.utf8{path.suffix or '.txt'}")
    return f"iconv -f {encoding} -t UTF-8 {shlex.quote(str(path))} > {shlex.quote(str(target))}"


def _wide_encoding(data: bytes) -> str:
    """'UTF-16LE', 'UTF-16BE', 'UTF-32LE' or 'UTF-32BE' when ``data`` (which holds NUL bytes) is
    such text without a byte-order mark: it decodes strictly and reads as text; else ''.
    Of the readings that qualify, the one with the most usual characters wins; on a tie, the
    byte order that puts the NUL bytes (ASCII's high bytes) where they belong."""
    odd = data[1::2].count(0)
    even = data[0::2].count(0)
    best: tuple[float, int, str] | None = None
    for encoding, unit in (("UTF-32LE", 4), ("UTF-32BE", 4), ("UTF-16LE", 2), ("UTF-16BE", 2)):
        if len(data) % unit:
            continue
        try:
            text = data.decode(encoding.lower())
        except UnicodeDecodeError:
            continue
        share = _text_share(text)
        if share is None:
            continue
        parity = odd - even if encoding.endswith("LE") else even - odd
        if best is None or (share, parity) > best[:2]:
            best = (share, parity, encoding)
    return best[2] if best else ""


def _text_share(text: str) -> float | None:
    """Share of usual characters when ``text`` reads as printable text (no NULs, hardly any other
    control characters, > 95 % letters, CJK, digits, punctuation or spaces), else None. Binary
    data read as UTF-16 is mostly rare ideographs, Hangul, private-use or unassigned code points."""
    if not text or "\x00" in text:
        return None
    controls = len(_CONTROL.findall(text))
    if controls > max(3, len(text) // 1000):
        return None
    share = sum(1 for ch in text if _usual(ch)) / len(text)
    return share if share > 0.95 else None


def _usual(ch: str) -> bool:
    """ASCII, CJK (punctuation, kana, ideographs), fullwidth forms, general punctuation (“”—…)."""
    return (
        ch.isascii()
        or "\u3000" <= ch <= "\u9fff"
        or "\uff00" <= ch <= "\uffef"
        or "\u2000" <= ch <= "\u206f"
        or ch in "\u00b7\u00a0\u00d7\u00b1\u00b0"
    )


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _gb2312_share(text) >= _GB2312_SHARE:
            return text
        return _big5(data) or text  # a GB18030 text of rare or traditional characters stays GB18030
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - detector failure is just "undecodable"
        best = None
    if best is not None and best.encoding and _mostly_cjk_or_ascii(str(best)):
        return str(best)
    line = data.count(b"\n", 0, utf8_error.start) + 1
    raise SourceError(
        name, f"cannot decode: neither UTF-8 (bad byte 0x{data[utf8_error.start]:02x}) nor GB18030 text", line
    )


def _ideographs(text: str) -> Counter:
    return Counter(ch for ch in text if "\u3400" <= ch <= "\u9fff")


def _gb2312_share(text: str) -> float:
    """Share of the CJK ideographs in ``text`` that GB2312 has (1.0 when there are too few to tell)."""
    counts = _ideographs(text)
    total = sum(counts.values())
    if total < _MIN_CJK:
        return 1.0
    return sum(n for ch, n in counts.items() if _encodes(ch, "gb2312")) / total


def _big5(data: bytes) -> str:
    """``data`` as Big5 text, or '' when it is not strict Big5 or does not read as ordinary
    traditional Chinese (most ideographs in Big5's level 1, the 5,401 frequent characters)."""
    for codec in _BIG5_CODECS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        counts = _ideographs(text)
        total = sum(counts.values())
        frequent = sum(n for ch, n in counts.items() if _big5_level1(ch))
        if total >= _MIN_CJK and frequent / total >= 0.8 and _mostly_cjk_or_ascii(text):
            return text
    return ""


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _big5_level1(ch: str) -> bool:
    try:
        code = ch.encode("cp950")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xA440 <= int.from_bytes(code, "big") <= 0xC67E


def _mostly_cjk_or_ascii(text: str) -> bool:
    return bool(text) and sum(1 for ch in text if _usual(ch)) / len(text) > 0.95
