"""OCR of scanned PDF pages: RapidOCR with the PP-OCR models shipped in its wheel (no download).

``recognise(image, cache_dir)`` gives the text boxes of one page image (a numpy array, the page as
PDFium renders it): their corners in image pixels, their text and their score. The engine is made
once per process. When ``cache_dir`` is given (``<content>/.cache/ocr/``), the boxes are kept
there in a JSON file named by the SHA-256 of the image's pixels (and the engine's version), so
that ingesting the same scan again costs no OCR. ``OcrError`` is the engine's failure, one line.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

ENGINE = "rapidocr"


class OcrError(Exception):
    """The OCR engine is missing or failed: one line, without the file and page (the caller adds them)."""


@dataclass(frozen=True)
class Box:
    corners: tuple[tuple[float, float], ...]  # four corners in image pixels, clockwise from top left
    text: str
    score: float


def available() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _engine():
    import logging

    from rapidocr import RapidOCR

    engine = RapidOCR(params={"Global.log_level": "error"})
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return engine


@functools.cache
def _version() -> str:
    from importlib.metadata import version

    return f"{ENGINE} {version('rapidocr')}"


def recognise(image, cache_dir: Path | None = None) -> list[Box]:
    """The text boxes of a page image (H×W×3 uint8). Raises OcrError."""
    try:
        key = hashlib.sha256(
            f"{_version()} {image.shape} {image.dtype}\n".encode() + image.tobytes()
        ).hexdigest()
    except ImportError:
        raise OcrError(
            "OCR needs the rapidocr and onnxruntime packages (pip install rapidocr onnxruntime)"
        ) from None
    cached = _read(cache_dir, key)
    if cached is not None:
        return cached
    try:
        engine = _engine()
    except ImportError:
        raise OcrError(
            "OCR needs the rapidocr and onnxruntime packages (pip install rapidocr onnxruntime)"
        ) from None
    except Exception as exc:
        raise OcrError(f"the OCR engine cannot start ({_why(exc)})") from None
    try:
        result = engine(image)
    except Exception as exc:
        raise OcrError(f"OCR failed ({_why(exc)})") from None
    boxes = []
    if result.boxes is not None and result.txts is not None:
        for corners, text, score in zip(result.boxes, result.txts, result.scores):
            if text.strip():
                boxes.append(Box(tuple((float(x), float(y)) for x, y in corners), str(text), float(score)))
    _write(cache_dir, key, boxes)
    return boxes


def _why(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _read(cache_dir: Path | None, key: str) -> list[Box] | None:
    if cache_dir is None:
        return None
    try:
        rows = json.loads((Path(cache_dir) / f"{key}.json").read_text(encoding="utf-8"))
        return [Box(tuple(tuple(c) for c in row["corners"]), row["text"], row["score"]) for row in rows]
    except Exception:  # missing or damaged: OCR again
        return None


def _write(cache_dir: Path | None, key: str, boxes: list[Box]) -> None:
    """Best effort: a read-only content directory only means no cache."""
    if cache_dir is None:
        return
    from generator.outputs import write_atomic

    rows = [{"corners": box.corners, "text": box.text, "score": round(box.score, 4)} for box in boxes]
    try:
        write_atomic(Path(cache_dir) / f"{key}.json", json.dumps(rows, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass
