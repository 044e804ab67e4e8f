"""Music on top of a cut: cues, re-conform, sync, fit, stems, handoff and paperwork.

Only `conform.cli` knows about the terminal.
"""
