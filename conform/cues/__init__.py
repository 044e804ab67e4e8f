"""Cues on a cut: the one cue-list reader, re-conform through a change list, sync to hits."""
