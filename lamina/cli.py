"""The `lamina` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lamina import __version__
from lamina.commands import invoke, logs
from lamina.config import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lamina", description="AWS Lambda, self-hosted.")
    parser.add_argument("--version", action="version", version=f"lamina {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start a Lamina node")
    serve.add_argument("--host", help="address to listen on (LAMINA_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (LAMINA_PORT, default 4566; 0 picks one)")
    serve.add_argument("--data-dir", type=Path, help="data directory (LAMINA_DATA_DIR, .lamina)")
    invoke.add_parser(commands)
    logs.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from lamina.server import serve

        settings = Settings.from_env(host=args.host, port=args.port, data_dir=args.data_dir)
        return serve(settings)
    if args.command == "invoke":
        return invoke.run(args)
    if args.command == "logs":
        return logs.run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
