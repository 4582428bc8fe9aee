"""python -m app.content check|schema [DIR] (see app/content/commands.py)."""

from __future__ import annotations

import sys

from app.content.commands import main

raise SystemExit(main(sys.argv[1:]))
