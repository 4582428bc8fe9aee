"""The yardstick for bench/load.py: a FastAPI endpoint that validates a small JSON body and does nothing else.

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


@app.post("/noop", response_model=Done)
def noop(body: Body) -> Done:
    return Done(ok=True)


@app.get("/readyz", response_model=Done)
def readyz() -> Done:
    return Done(ok=True)
