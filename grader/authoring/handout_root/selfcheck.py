"""Run the public checks on your exercises: ``python selfcheck.py [--lang fr|en]``."""

import sys
from pathlib import Path

# Find the `checks` folder beside this file however Python was started.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from checks.selfcheck import main

if __name__ == "__main__":
    sys.exit(main())
