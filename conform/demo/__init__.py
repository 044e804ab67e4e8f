"""The demo: the whole job on the bundled sample reel, with its own narration."""
