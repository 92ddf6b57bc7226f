"""CLI: python -m quiesce_sim --scenario FILE [--speed F] [--tls] [--state-dir DIR] [--ready-file PATH]
[--log-file PATH.jsonl] [--base-port N]"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path

import yaml

from .core import Simulator, start_listeners, stop_listeners


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m quiesce_sim", description=__doc__)
    parser.add_argument("--scenario", default=None, help="scenario YAML (default: scenarios/default.yml)")
    parser.add_argument("--speed", type=float, default=1.0, help="duration multiplier; 0 = as fast as possible")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a generated CA")
    parser.add_argument("--state-dir", default=None, help="where the CA and certificates go (default: temp dir)")
    parser.add_argument("--ready-file", default=None, help="JSON file written atomically once listening")
    parser.add_argument("--log-file", default=None, help="append every request-log entry as a JSON line")
    parser.add_argument("--base-port", type=int, default=0, help="bind N, N+1, ... instead of ephemeral ports")
    args = parser.parse_args(argv)
    if args.speed < 0:
        parser.error("--speed must be >= 0")
    try:
        Simulator(args.scenario)  # fail fast, with a usage error, on a missing or broken scenario
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        parser.error(f"cannot load scenario {args.scenario}: {exc}")
    return args


def write_ready_file(path: Path, payload: dict) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(payload, indent=2))
    os.replace(temp, path)


async def serve(args: argparse.Namespace) -> None:
    sim = Simulator(args.scenario, speed=args.speed, log_file=args.log_file)
    ssl_context, ca_file = None, None
    if args.tls:
        from .tls import make_server_context

        state_dir = Path(args.state_dir or tempfile.mkdtemp(prefix="quiesce-sim-"))
        ssl_context, ca_file = make_server_context(state_dir)
    runners, urls = await start_listeners(sim, base_port=args.base_port, ssl_context=ssl_context)
    ready = Path(args.ready_file) if args.ready_file else None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        if ready:
            write_ready_file(ready, {**urls, "ca_file": str(ca_file) if ca_file else None, "pid": os.getpid(),
                                     "instances": sim.instance_urls()})
        for listener in sim.listeners:
            print(f"{listener.key:8} {listener.url}", flush=True)
        print(f"{'admin':8} {urls['admin']}", flush=True)
        print("READY", flush=True)
        await stop.wait()
    finally:
        await stop_listeners(runners, sim)
        sim.log.close()
        if ready and ready.exists():
            ready.unlink()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    asyncio.run(serve(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
