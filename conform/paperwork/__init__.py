"""What people read: the performing-rights cue sheet and the HTML report."""
