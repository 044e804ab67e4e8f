"""The mixer's package: stems rendered to their places, timelines, manifest and verify."""
