"""The music editor's error: a fit that cannot be done, said in one line."""

from __future__ import annotations

from edl.errors import MconformError

__all__ = ["FitError"]


class FitError(MconformError):
    """A fit that cannot be done (too short, silent, too long to extend, a bad hit...)."""
