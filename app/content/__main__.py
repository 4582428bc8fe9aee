"""python -m app.content check|schema [DIR] (see app/content/loader.py)."""

from __future__ import annotations

import sys

from app.content.loader import main

raise SystemExit(main(sys.argv[1:]))
