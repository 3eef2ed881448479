"""`aduan-local`: run Aduan on this machine, and poke at the running stack.

aduan-local up [--port 3000] [--workers N] [--no-timers]   start everything (what `make run` does)
aduan-local invoke FUNCTION --event FILE                  run a function once, like `sam local invoke`
aduan-local fire FUNCTION --time 2026-03-24T17:00:00Z      fire a function's schedule at an event time
aduan-local token USERNAME                                print a bearer token of a local demo user
aduan-local outbox                                        what the system has sent (SMS, email, webhook, WA)
aduan-local whatsapp "TEXT" --from +6281234567890         play a citizen on WhatsApp (signed as Meta signs)
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import Request, urlopen

from aduan_local.stack import LocalStack, StackOptions, log_stack
from aduan_local.template import ROOT, TEMPLATE

WEB = ROOT / "web"

DEFAULT_URL = "http://127.0.0.1:3000"


def _call(url: str, method: str = "GET", payload: Any = None) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    request = Request(url, data=data, method=method, headers={"content-type": "application/json"})  # noqa: S310
    try:
        with urlopen(request, timeout=120) as response:  # noqa: S310 - the local stack on loopback
            return json.load(response)
    except HTTPError as error:
        sys.stderr.write(error.read().decode() + "\n")
        raise SystemExit(1) from error


def up(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    from aduan_local.seed import default_seeders

    options = StackOptions(
        template=Path(args.template),
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        workers=args.workers,
        timers=not args.no_timers,
        seeders=[] if args.no_seed else default_seeders(),
        web_dir=Path(args.web) if args.web else None,
    )
    stack = LocalStack(options)
    stopped = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stack.start()
    log_stack(stack)
    stopped.wait()
    print("stopping...", flush=True)
    stack.stop()


def whatsapp(url: str, sender: str, text: str) -> None:
    """Meta's webhook for one text from `sender`, signed with the local app secret; what Aduan
    answers appears in the outbox under `whatsapp`."""
    from aduan_local.client import send_whatsapp, whatsapp_message, whatsapp_payload

    number = sender.replace(" ", "").replace("-", "")
    if not number.lstrip("+").isdigit():
        raise SystemExit(f"--from must be a phone number such as +6281234567890, not {sender!r}")
    message = whatsapp_message(number, body=text)
    answer = send_whatsapp(url, whatsapp_payload(message))
    print(f"{answer.status_code} {message['id']}")
    if answer.status_code != 200:
        raise SystemExit(answer.text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="aduan-local", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="the running stack (for every command but up)")
    commands = parser.add_subparsers(dest="command", required=True)

    start = commands.add_parser("up", help="start the local stack")
    start.add_argument("--template", default=str(TEMPLATE))
    start.add_argument("--host", default="127.0.0.1")
    start.add_argument("--port", type=int, default=3000)
    start.add_argument("--moto-port", type=int, default=0, help="the emulator's port (default: any free one)")
    start.add_argument("--workers", type=int, default=1, help="warm workers per function")
    start.add_argument("--no-timers", action="store_true", help="fire schedules only by hand")
    start.add_argument("--no-seed", action="store_true", help="start with empty tables")
    start.add_argument("--web", default=str(WEB), help="folder of static pages served at / ('' for none)")

    invoke = commands.add_parser("invoke", help="run a function once with an event")
    invoke.add_argument("function")
    invoke.add_argument("--event", required=True, help="a JSON file, or - for standard input")

    fire = commands.add_parser("fire", help="fire a function's schedule at an event time")
    fire.add_argument("function")
    fire.add_argument("--time", default=None, help="ISO 8601 with a zone (default: now)")

    token = commands.add_parser("token", help="print a bearer token of a local demo user")
    token.add_argument("username")

    commands.add_parser("outbox", help="print what the system has sent")

    chat = commands.add_parser("whatsapp", help="send a citizen's WhatsApp message, signed as Meta signs it")
    chat.add_argument("text")
    chat.add_argument("--from", dest="sender", required=True, help="the citizen's number, +62...")

    args = parser.parse_args(argv)
    if args.command == "up":
        up(args)
    elif args.command == "invoke":
        source = sys.stdin if args.event == "-" else open(args.event, encoding="utf-8")  # noqa: SIM115
        with source:
            event = json.load(source)
        print(json.dumps(_call(f"{args.url}/_local/invoke/{quote(args.function)}", "POST", event), indent=2))
    elif args.command == "fire":
        query = f"?time={quote(args.time)}" if args.time else ""
        print(
            json.dumps(
                _call(f"{args.url}/_local/schedules/{quote(args.function)}{query}", "POST", {}), indent=2
            )
        )
    elif args.command == "token":
        print(_call(f"{args.url}/_local/token/{quote(args.username)}", "POST", {})["token"])
    elif args.command == "outbox":
        print(json.dumps(_call(f"{args.url}/_local/outbox"), indent=2, ensure_ascii=False))
    elif args.command == "whatsapp":
        whatsapp(args.url, args.sender, args.text)


if __name__ == "__main__":
    main()
