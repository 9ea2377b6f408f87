"""How every command reports bad input: a message naming the problem, exit code 2, no output."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

BAD_INPUT_EXIT = 2


def fail(message: str) -> NoReturn:
    """Print `message` to stderr and exit 2, before any partial output was written."""
    print(f"hashchat: error: {message}", file=sys.stderr)
    raise typer.Exit(BAD_INPUT_EXIT)


def read_text_argument(value: str) -> str:
    """Return the TEXT argument, or stdin when it is `-`; invalid UTF-8 is bad input.

    One final line break of stdin is dropped (`echo hello |` sends `hello` and the newline
    that ends its line, which no one means as part of the text); a second one stays.
    """
    if value != "-":
        return value
    raw = sys.stdin.buffer.read()
    if raw.endswith(b"\r\n"):
        raw = raw[:-2]
    elif raw.endswith(b"\n"):
        raw = raw[:-1]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(
            f"stdin is not valid UTF-8 (byte {error.start}: {raw[error.start : error.start + 1]!r})"
        )
