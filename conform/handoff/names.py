"""File names derived from user data (cue numbers, titles, stem names), made safe.

The rule (docs/handoff.md): Unicode is folded to ASCII where it has an ASCII form
(``é`` -> ``e``); every run of characters other than ASCII letters, digits, ``-`` and
``+`` becomes one ``_``, so ``/``, ``\\``, ``..``, spaces, newlines and control characters
can never reach the file system; leading and trailing ``_ . -`` go; a name is at most 60
characters; an empty result becomes the fallback (``cue``, ``stem``); Windows device
names (``CON``, ``NUL``, ``COM1``...) get a trailing ``_``. Titles are written in
CamelCase first (``Main Title`` -> ``MainTitle``). Two names that end up equal ignoring
case (so that they also collide on macOS and Windows) are numbered ``_2``, ``_3``...
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["safe_name", "title_name", "NameBook"]

_UNSAFE = re.compile(r"[^A-Za-z0-9+\-]+")
_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(10)}
MAX_LENGTH = 60


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def safe_name(text: str, fallback: str = "cue") -> str:
    """``text`` as a safe file name part by the rule above (never empty, never a path)."""
    name = _UNSAFE.sub("_", _ascii(str(text))).strip("_.-")[:MAX_LENGTH].strip("_.-")
    if not name:
        name = fallback
    if name.upper().split("_")[0] in _DEVICES and "_" not in name:
        name += "_"
    return name


def title_name(text: str) -> str:
    """``Main Title`` -> ``MainTitle``; other characters as in :func:`safe_name` ("" if none)."""
    words = re.findall(r"[A-Za-z0-9]+", _ascii(str(text)))
    return safe_name("".join(w[:1].upper() + w[1:] for w in words), "") if words else ""


class NameBook:
    """Hands out file names once each: a name already given (ignoring case) is numbered."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, name: str) -> str:
        """``name``, or ``name_2``, ``name_3``... whichever is still free."""
        candidate, n = name, 1
        while candidate.lower() in self._taken:
            n += 1
            candidate = f"{name}_{n}"
        self._taken.add(candidate.lower())
        return candidate
