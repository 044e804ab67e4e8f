"""Read any temp track to float32: PCM and what libsndfile decodes through the audio core,
AAC/M4A through an ffmpeg that arrives by pip (imageio-ffmpeg ships the binary).

pydub would need ffprobe (which no pip package ships) to decode beyond 16-bit, so the
pip ffmpeg is called directly to write 32-bit float WAV, read back with soundfile.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from temp_library.audio.bwf import Audio, AudioError, read_audio

__all__ = ["AUDIO_SUFFIXES", "FFMPEG_SUFFIXES", "decode", "ffmpeg_exe"]

AUDIO_SUFFIXES = (".wav", ".bwf", ".aif", ".aiff", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".mp4")
FFMPEG_SUFFIXES = (".m4a", ".aac", ".mp4")


def ffmpeg_exe() -> str:
    """The ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    try:
        import imageio_ffmpeg
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise AudioError(
            "imageio-ffmpeg is not installed", hint="pip install imageio-ffmpeg"
        ) from err
    return imageio_ffmpeg.get_ffmpeg_exe()


def decode(path: str | Path) -> Audio:
    """The track's samples, sample rate and subtype, whatever its format."""
    path = Path(path)
    if path.suffix.lower() not in FFMPEG_SUFFIXES:
        return read_audio(path)
    if not path.is_file():
        raise AudioError("no such file", path, "check the path")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "decoded.wav"
        command = [ffmpeg_exe(), "-v", "error", "-nostdin", "-i", str(path), "-vn",
                   "-acodec", "pcm_f32le", "-f", "wav", str(wav)]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 or not wav.exists():
            why = (result.stderr.strip().splitlines() or ["ffmpeg failed"])[-1]
            raise AudioError(f"cannot decode: {why[:160]}", path)
        audio = read_audio(wav)
    return Audio(audio.samples, audio.sample_rate, "AAC", None, None, str(path))
