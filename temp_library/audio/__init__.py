"""Audio files and DSP building blocks: BWF read/write, decoding, fades, loudness, limiting.

The audio layer: it imports only `edl` (errors, atomic writes) and numeric libraries, and
knows neither the temp library's catalog nor cues. It lives inside `temp_library` because
the project keeps three top-level packages; `conform` uses it from above.
"""
