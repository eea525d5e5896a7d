"""Argument types for the benchmark commands: a bad value stops argparse with one line and
exit 2 before any measuring starts (they used to fail minutes in, with a traceback, or
write a report of infinities)."""

from __future__ import annotations

import argparse
from pathlib import Path


def at_least(minimum: int):
    """An argparse type: an integer no smaller than `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is below {minimum}")
        return value

    return parse


def int_list(minimum: int):
    """An argparse type: comma-separated integers, each no smaller than `minimum`."""
    one = at_least(minimum)

    def parse(text: str) -> list[int]:
        return [one(part) for part in text.split(",") if part.strip()]

    return parse


def existing(text: str) -> Path:
    """An argparse type: a path that exists."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text} does not exist")
    return path
