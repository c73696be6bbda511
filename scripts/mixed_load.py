#!/usr/bin/env python3
"""Mixed load against a running `kehoach serve --demo` and its resident memory (issue 18).

N keep-alive connections (default 200) each loop over a mix of requests: pages with a session
cookie, API reads with a token, and activity writes through the API. The server's VmRSS is
sampled every 5 s from /proc while the load runs, then during an idle period after it.

Usage: scripts/mixed_load.py --base http://127.0.0.1:8080 --pid PID --token TOKEN
           [--connections 200] [--seconds 600] [--idle 30] [--plan 1] [--assignments 1,2,3]
Stdlib only (asyncio streams, HTTP/1.1 keep-alive), so it runs anywhere Python 3 does.
"""

import argparse
import asyncio
import json
import random
import time
import urllib.parse


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def request(reader, writer, host, method, path, headers, body=b""):
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
    for k, v in headers.items():
        head += f"{k}: {v}\r\n"
    if body:
        head += f"Content-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, chunked, close = None, False, False
    cookies = []
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and value.lower() == "close":
            close = True
        elif name == "set-cookie":
            cookies.append(value.split(";")[0])
    data = b""
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            if size == 0:
                await reader.readline()
                break
            data += await reader.readexactly(size)
            await reader.readline()
    elif length:
        data = await reader.readexactly(length)
    return status, data, cookies, close


async def sign_in(host, port, username, password):
    reader, writer = await asyncio.open_connection(host, port)
    _, _, cookies, _ = await request(reader, writer, host, "GET", "/sign-in", {})
    csrf_cookie = cookies[0]
    csrf = csrf_cookie.split("=", 1)[1]
    form = urllib.parse.urlencode(
        {"csrf": csrf, "username": username, "password": password, "next": "/"}
    ).encode()
    status, _, cookies, _ = await request(
        reader, writer, host, "POST", "/sign-in",
        {"Cookie": csrf_cookie, "Content-Type": "application/x-www-form-urlencoded"}, form,
    )
    writer.close()
    session = [c for c in cookies if c.startswith("kh_session=")]
    if status != 303 or not session:
        raise SystemExit(f"sign-in as {username} failed: {status}")
    return session[0]


async def client(n, args, host, port, cookie, stop, counts):
    rng = random.Random(n)
    pages = [
        "/plans", f"/plans/{args.plan}", f"/overview?plan={args.plan}", "/deadlines",
        "/search?q=chuyen+doi+so", f"/activities?assignment={args.assignments[0]}",
    ]
    reads = [
        "/api/v1/plans", f"/api/v1/plans/{args.plan}",
        f"/api/v1/plans/{args.plan}/compliance?at=2024-11-04",
    ]
    auth = {"Authorization": f"Bearer {args.token}"}
    reader = writer = None
    while not stop.is_set():
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            roll = rng.random()
            if roll < 0.45:
                kind, status, _, _, close = "page", *await request(
                    reader, writer, host, "GET", rng.choice(pages), {"Cookie": cookie})
            elif roll < 0.85:
                kind, status, _, _, close = "read", *await request(
                    reader, writer, host, "GET", rng.choice(reads), auth)
            else:
                assignment = rng.choice(args.assignments)
                body = json.dumps({"date": "2024-10-0%d" % rng.randint(1, 9),
                                   "title": f"Tải thử {n}-{counts['write']}"}).encode()
                kind, status, _, _, close = "write", *await request(
                    reader, writer, host, "POST", f"/api/v1/assignments/{assignment}/activities",
                    {**auth, "Content-Type": "application/json"}, body)
            counts[kind] += 1
            if status >= 500:
                counts["5xx"] += 1
            elif status >= 400:
                counts["4xx"] += 1
            if close:
                writer.close()
                writer = None
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            counts["errors"] += 1
            writer = None
            await asyncio.sleep(0.05)
    if writer is not None:
        writer.close()


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--user", default="quantri")
    p.add_argument("--password", default="demo")
    p.add_argument("--connections", type=int, default=200)
    p.add_argument("--seconds", type=int, default=600)
    p.add_argument("--idle", type=int, default=30)
    p.add_argument("--plan", type=int, default=1)
    p.add_argument("--assignments", default="1")
    args = p.parse_args()
    args.assignments = [int(a) for a in args.assignments.split(",")]
    url = urllib.parse.urlparse(args.base)
    host, port = url.hostname, url.port
    cookie = await sign_in(host, port, args.user, args.password)
    counts = {"page": 0, "read": 0, "write": 0, "4xx": 0, "5xx": 0, "errors": 0}
    stop = asyncio.Event()
    start = time.monotonic()
    print(f"RSS before load: {rss_mib(args.pid):.0f} MiB", flush=True)
    tasks = [asyncio.create_task(client(i, args, host, port, cookie, stop, counts))
             for i in range(args.connections)]
    samples = []
    while time.monotonic() - start < args.seconds:
        await asyncio.sleep(5)
        rss = rss_mib(args.pid)
        samples.append(rss)
        done = sum(counts[k] for k in ("page", "read", "write"))
        print(f"t={time.monotonic() - start:5.0f}s RSS {rss:6.0f} MiB  requests {done}  {counts}",
              flush=True)
    stop.set()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - start
    idle = []
    for _ in range(max(1, args.idle // 5)):
        await asyncio.sleep(5)
        idle.append(rss_mib(args.pid))
    done = sum(counts[k] for k in ("page", "read", "write"))
    print(json.dumps({
        "connections": args.connections, "seconds": round(elapsed), "requests": done,
        "requests_per_s": round(done / elapsed), "counts": counts,
        "rss_max_mib": round(max(samples)), "rss_last_under_load_mib": round(samples[-1]),
        "rss_after_idle_mib": round(idle[-1]),
        "rss_first_half_max_mib": round(max(samples[: max(1, len(samples) // 2)])),
    }), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
