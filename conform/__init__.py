"""Music on top of a cut: cue lists, re-conform, sync, audio editing, stems and handoff.

Only `conform.cli` knows about the terminal.
"""
