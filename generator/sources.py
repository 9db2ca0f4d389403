"""Raw source bytes → text: UTF-8 (with or without BOM) or GB18030, LF line ends."""

from __future__ import annotations


class SourceError(Exception):
    """A source file that is not gazette text. One line, naming the file."""

    def __init__(self, name: str, message: str, line: int = 0):
        where = f"{name}:{line}" if line else name
        super().__init__(f"{where}: {message}")
        self.name = name
        self.line = line


_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
               (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
# C0 controls other than tab/LF/CR/FF mean binary data.
_CONTROL = set(range(0, 9)) | {11} | set(range(14, 32))


def decode_source(data: bytes, name: str) -> str:
    """Decode strictly as UTF-8, then GB18030; normalise line ends to LF."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise SourceError(name, f"{encoding} text: save it as UTF-8 or GB18030 first")
    if not data.strip():
        raise SourceError(name, "empty file: no gazette text")
    if b"\x00" in data:
        raise SourceError(name, "binary data (NUL bytes): not a text file; extract the PDF's text first")
    text = _decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = sum(1 for ch in text if ord(ch) in _CONTROL)
    if bad > max(3, len(text) // 1000):
        raise SourceError(name, f"binary data ({bad} control characters): not a text file")
    if not text.strip():
        raise SourceError(name, "empty file: no gazette text")
    return text


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - detector failure is just "undecodable"
        best = None
    if best is not None and best.encoding and _mostly_cjk_or_ascii(str(best)):
        return str(best)
    line = data.count(b"\n", 0, utf8_error.start) + 1
    raise SourceError(name, f"cannot decode: neither UTF-8 (bad byte 0x{data[utf8_error.start]:02x}) nor GB18030 text", line)


def _mostly_cjk_or_ascii(text: str) -> bool:
    if not text:
        return False
    good = sum(1 for ch in text if ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return good / len(text) > 0.95
