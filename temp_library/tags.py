"""Tags read from a file with mutagen: title, artist, album, composer."""

from __future__ import annotations

from pathlib import Path

__all__ = ["read_tags"]

_KEYS = {
    "title": ("title", "TIT2", "\xa9nam", "INAM"),
    "artist": ("artist", "TPE1", "\xa9ART", "IART"),
    "album": ("album", "TALB", "\xa9alb", "IPRD"),
    "composer": ("composer", "TCOM", "\xa9wrt", "IMUS"),
}


def read_tags(path: str | Path) -> dict[str, str]:
    """The four tags a cue sheet needs, empty where the file has none or mutagen can't read."""
    try:
        import mutagen

        tagged = mutagen.File(str(path))
    except Exception:  # noqa: BLE001 - mutagen raises many types on odd files; tags are optional
        tagged = None
    result = dict.fromkeys(_KEYS, "")
    if tagged is None or tagged.tags is None:
        return result
    for field, keys in _KEYS.items():
        for key in keys:
            try:
                value = tagged.tags.get(key)
            except (ValueError, KeyError, TypeError):
                value = None
            if value:
                text = value.text if hasattr(value, "text") else value
                if isinstance(text, list | tuple):
                    text = text[0] if text else ""
                result[field] = str(text).strip()
                break
    return result
