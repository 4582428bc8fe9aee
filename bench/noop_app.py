"""The yardstick for bench/load.py: an async FastAPI endpoint that validates a small JSON body and does nothing else.

Served by the same uvicorn with the same settings as the app, so the ratio app/no-op measures what the
app adds on top of the framework, the server and the client on this machine.
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Body(BaseModel):
    question_id: str
    value: str | list[str]


class Done(BaseModel):
    ok: bool


# `async def`, as the app's routes are: a plain `def` would add a thread-pool hop that the app does not pay,
# and flatter the app's ratio.
@app.post("/noop", response_model=Done)
async def noop(body: Body) -> Done:
    return Done(ok=True)


@app.get("/readyz", response_model=Done)
async def readyz() -> Done:
    return Done(ok=True)
