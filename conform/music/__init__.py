"""Editing music to picture: fit a cue to a length (trim, cut down, extend) on the music."""
