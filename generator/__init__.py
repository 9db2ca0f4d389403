"""Gazette archive: raw gazette text → YAML records → Markdown pages and data packages → static site."""

__version__ = "0.1.0"
