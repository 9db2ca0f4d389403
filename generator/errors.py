"""The one family of errors a user sees: each is one line naming the file (and line), printed
as ``错误 error: FILE[:LINE]: what is wrong and what to do``, with exit status 1.

Every stage raises a subclass of GazetteError; the command line shows it as it is (a click
exception), and turns operating-system errors and bugs into one as well (``as_gazette_error``).
"""

from __future__ import annotations

import errno
import os
import sys

import click


class GazetteError(click.ClickException):
    """A fault the user can act on. The message is one line, starting with the file."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))

    def show(self, file=None) -> None:
        click.echo(f"错误 error: {self.format_message()}", file=file or sys.stderr)


def as_gazette_error(exc: BaseException) -> GazetteError | None:
    """The one-line error for an operating-system error or a bug; None for what must pass
    through (click's own exits, Ctrl+C, GAZETTE_DEBUG=1 for a bug's traceback)."""
    if isinstance(
        exc,
        (
            GazetteError,
            click.exceptions.Exit,
            click.ClickException,
            click.Abort,
            KeyboardInterrupt,
            SystemExit,
        ),
    ):
        return None
    if isinstance(exc, OSError):
        return GazetteError(describe_os_error(exc))
    if isinstance(exc, Exception) and not os.environ.get("GAZETTE_DEBUG"):
        text = " ".join(str(exc).split())[:300]
        return GazetteError(
            f"internal error: {type(exc).__name__}: {text} "
            "(please report it; GAZETTE_DEBUG=1 shows the traceback)"
        )
    return None


def describe_os_error(exc: OSError) -> str:
    """One line for an operating-system error: the file, what went wrong, what to do."""
    where = exc.filename if exc.filename is not None else "gazette"
    hints = {
        errno.ENOSPC: "free some disk space and run the command again",
        errno.EROFS: "the file system is read-only; choose a folder on a writable one",
        errno.EACCES: "no permission; choose a folder you can write",
        errno.EPERM: "not permitted; choose a folder you can write",
        errno.ENAMETOOLONG: "a name derived from the records is too long; shorten it in the record",
        errno.EXDEV: "it is on another device (a mount point?); write into a folder inside it",
        errno.EBUSY: "it is busy or a mount point; write into a folder inside it",
        errno.EDQUOT: "disk quota exceeded; free some space",
    }
    code = errno.errorcode.get(exc.errno or 0, "")
    hint = hints.get(exc.errno or 0, "")
    text = f"{where}: {exc.strerror or exc}" + (f" ({code})" if code else "") + (f"; {hint}" if hint else "")
    return " ".join(text.split())
