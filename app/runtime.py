"""Garbage collection waits while the app starts; what start-up built is then frozen, not walked again.

Start-up (the framework's and the app's imports, the content, the indexes) makes ~120,000 objects that
live as long as the process. While they are being made the collector would walk them ~230 times and
free almost nothing (~90 ms, a tenth of the instructions of a start). So app.main imports this module
before anything else, which turns collection off, and the lifespan calls `resume()` once the content is
loaded and the store open (a Redis store imports its client then): gc.freeze() moves everything alive into the permanent generation, which later collections skip,
and collection is back on for what requests allocate. Only the first start-up in a process does this;
later apps (tests build many) leave the collector be. A process that imports app.main and never starts
an app would keep collection off; nothing here does (scripts start the app, as bench/pipeline.py does).
"""

from __future__ import annotations

import gc

_paused = gc.isenabled()
if _paused:
    gc.disable()


def resume() -> None:
    """Freeze what start-up built and turn collection back on (once per process)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
