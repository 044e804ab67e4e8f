import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

# No timed assertions in tests (speed lives in bench/): hypothesis's per-example deadline
# fails at random on a loaded machine, so it is off for every property test.
settings.register_profile("mconform", deadline=None)
settings.load_profile("mconform")
