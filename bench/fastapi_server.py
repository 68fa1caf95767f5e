#!/usr/bin/env python3
"""Reference SSE server written the way the seed tutorials do it (FastAPI +
uvicorn, an async generator with asyncio.sleep per token). It serves the same
wire format as rillmark-server's `format=text` for the capacity benchmark.

    python3 bench/fastapi_server.py --token bench   # prints "listening on http://127.0.0.1:PORT"
"""
import argparse
import asyncio
import pathlib
import socket

import uvicorn
from fastapi import FastAPI, Header, HTTPException
from fastapi.responses import StreamingResponse

DOCS = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "docs"
app = FastAPI()
TOKEN = "bench"


def tokens(text: str, size: int):
    data = text.encode()
    i = 0
    while i < len(data):
        j = min(len(data), i + size)
        while j < len(data) and (data[j] & 0xC0) == 0x80:
            j += 1
        yield data[i:j].decode()
        i = j


@app.get("/v1/stream")
async def stream(doc: str = "intro", token_bytes: int = 8, interval_ms: int = 30,
                 authorization: str = Header(default="")):
    if authorization != f"Bearer {TOKEN}":
        raise HTTPException(status_code=401, detail="unauthorized")
    text = (DOCS / f"{doc}.md").read_text()

    async def event_generator():
        n = 0
        for t in tokens(text, token_bytes):
            n += 1
            lines = "".join(f"data: {line}\n" for line in t.split("\n"))
            yield f"id: {n}\n{lines}\n"
            await asyncio.sleep(interval_ms / 1000)
        yield f"id: {n + 1}\ndata: [DONE]\n\n"

    return StreamingResponse(event_generator(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--token", default="bench")
    args = parser.parse_args()
    TOKEN = args.token
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", backlog=16384)
