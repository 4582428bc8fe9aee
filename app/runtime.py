"""Garbage collection waits while the app starts; what start-up built is then frozen, not walked again.

Start-up (the content, the indexes, the store's client) makes tens of thousands of objects that live as long
as the process. While they are being made the collector would walk them again and again and free almost
nothing (bench/RESULTS.md). So `create_app` calls `pause()` first, and the lifespan calls `resume()` once the
content is loaded and the store open (a Redis store imports its client then): gc.freeze() moves everything
alive into the permanent generation, which later collections skip, and collection is back on for what
requests allocate. Only the first start-up in a process does this; later apps (tests build many) leave the
collector be. Importing this module changes nothing.
"""

from __future__ import annotations

import gc


class _StartUp:
    """Whether this process has paused collection for a start-up, and whether that start-up has finished."""

    paused = False
    finished = False


_start_up = _StartUp()


def pause() -> None:
    """Turn collection off until `resume()`, unless an app in this process has already started."""
    if not _start_up.finished and not _start_up.paused and gc.isenabled():
        gc.disable()
        _start_up.paused = True


def resume() -> None:
    """Freeze what start-up built and turn collection back on (once per process)."""
    if _start_up.finished:
        return
    _start_up.finished = True
    gc.freeze()
    if _start_up.paused:
        gc.enable()
