"""What the harness's viewers alone can take on this machine: the floor under any server.

A server that does nothing but hold SSE streams and write each POST's frame to all of them,
`--per-write K` frames per write (K posts batched, as hashchat's paced nchan publisher does):
no database, no nchan, no frame building per viewer. The frame is a real hashchat `post` event
(~430 bytes). Whatever latency `fanout.py` measures against it at V viewers x R posts/s is
the harness client's own (it shares the two cores with the server).

    client_floor.py [--viewers 5000 --messages 200 --rate 20 --per-write 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # bench/ is not a package: its path is set just above

FRAME = (
    'id: {n}\nevent: post\ndata: {{"id":{n},"chat_id":3,"author":"bench","display_name":'
    '"bench","text":{text},"created_at":"2026-11-26T00:01:23.418865+00:00","network":'
    '"hashchat","external_id":null,"external_url":null,"reply_to":null,"question":1,'
    '"part":null,"inferred":false,"late":false,"hidden":false,"spotlight":false,'
    '"is_host":true,"segments":[{{"question":1,"part":null,"inferred":false,"late":false}}]}}'
    "\n\n"
)


async def serve(port: int, per_write: int) -> None:
    streams: list[asyncio.StreamWriter] = []
    pending: list[str] = []
    count = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return  # the readiness probe
        if head.startswith(b"GET"):
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n: hi\n\n")
            streams.append(writer)
            return
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        text = json.loads(await reader.readexactly(length))["text"]
        count += 1
        pending.append(FRAME.format(n=count, text=json.dumps(text)))
        if len(pending) >= per_write:
            data = "".join(pending).encode()
            pending.clear()
            for stream in streams:
                stream.write(data)
        writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--per-write", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=240)
    parser.add_argument("--procs", type=int, default=1, help="viewer processes of the harness")
    parser.add_argument("--harness", type=Path, default=loadgen.DEFAULT_HARNESS)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the server process
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.serve:
        asyncio.run(serve(args.serve, args.per_write))
        return
    port = loadgen.free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), "--per-write", str(args.per_write)]
    )
    try:
        loadgen.wait_for_port(port, 10)
        base = f"http://127.0.0.1:{port}"
        target = loadgen.Target(f"{base}/stream", f"{base}/post", [server.pid], [])
        with tempfile.TemporaryDirectory() as tmp:
            result = loadgen.run_fanout(args, target, Path(tmp) / "floor.json")
    finally:
        server.terminate()
        server.wait(10)
    shown = ("received", "lost", "lat_p50", "lat_p90", "lat_p99", "lat_max")
    shown += ("deliveries_per_s", "cpu_server_pct", "cpu_client_pct")
    print(
        f"# floor: {args.viewers} viewers, {args.messages} posts at {args.rate}/s, "
        f"{args.per_write} per write"
    )
    for key in shown:
        print(f"{key:20}{result.get(key)!s:>12}")


if __name__ == "__main__":
    main()
