"""Music that makes room for dialogue: find speech, decide per stem, write automation, measure.

`conform.duck.run.duck_music` is the one entry point (the `duck` command and the handoff
call it); the modules under it each hold one idea: speech.py finds phrases, bands.py the
speech-band model (third-octave bands, SII importance), treatment.py chooses and renders
band cuts and ducks, automation.py writes them for the mixer, measure.py proves the benefit.
"""
