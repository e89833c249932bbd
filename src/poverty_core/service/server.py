"""Running the service with uvicorn: the ``serve`` command, structured logs, graceful
shutdown, and a context manager that runs it on a free loopback port (tests, the
benchmark)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import ipaddress
import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Iterator
from typing import Any, TextIO

from poverty_core._text import Text
from poverty_core.errors import PovertyCoreError
from poverty_core.privacy import redact, showing_id_numbers
from poverty_core.service.settings import Settings

__all__ = ["JsonFormatter", "add_arguments", "command", "running", "serve"]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger and the record's ``fields``
    (every text masked for ID numbers)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        data: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update(fields)
        else:
            data["message"] = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            data["error"] = record.exc_info[0].__name__
        return redact(json.dumps(data, ensure_ascii=False, default=str))


@contextlib.contextmanager
def _logging(level: str) -> Iterator[None]:
    """JSON lines on standard error for the service's and uvicorn's loggers, for the
    life of the command (the loggers are put back as they were afterwards)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    saved = []
    for name in ("poverty_core.service", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        saved.append((logger, logger.handlers, logger.level, logger.propagate))
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    try:
        yield
    finally:
        for logger, handlers, old_level, propagate in saved:
            logger.handlers, logger.propagate = handlers, propagate
            logger.setLevel(old_level)


def is_loopback(host: str) -> bool:
    """True for an address only this machine reaches (``127.0.0.1``, ``::1``,
    ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Usage(PovertyCoreError):
    """A ``serve`` option that cannot be honoured (exit 2)."""


def _config(app: Any, settings: Any, **extra: Any) -> Any:
    import uvicorn

    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        access_log=False,  # our own access log masks ID numbers and drops query strings
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=int(settings.shutdown_timeout),
        timeout_keep_alive=5,
        **extra,
    )


def serve(settings: Any) -> None:
    """Load the packs (a broken one stops here), then serve until SIGINT or SIGTERM;
    requests in flight get ``settings.shutdown_timeout`` seconds to finish."""
    import uvicorn  # the serve extra, like Starlette under the application

    from poverty_core.service.app import create_app

    if not is_loopback(settings.host) and settings.api_key is None:
        raise _Usage(
            Text(
                f"监听 {settings.host}（非本机地址）须设置 API 密钥：--api-key-env 变量名",
                f"listening on {settings.host} (beyond this machine) needs an API key: "
                "--api-key-env VARIABLE",
            )
        )
    app = create_app(settings)
    uvicorn.Server(_config(app, settings)).run()


@contextlib.contextmanager
def running(settings: Any = None, **create: Any) -> Iterator[str]:
    """Run the service with uvicorn in a thread on a free port of ``settings.host``
    (127.0.0.1), yield its base URL (``http://127.0.0.1:PORT``), stop it on exit —
    for tests, the benchmark and embedding. ``create`` goes to
    :func:`~poverty_core.service.app.create_app`."""
    import uvicorn  # the serve extra, like Starlette under the application

    from poverty_core.service.app import create_app

    settings = settings or Settings()
    app = create_app(settings, **create)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, 0))
    host, port = sock.getsockname()[:2]
    server = uvicorn.Server(_config(app, settings, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the service stopped while starting")
            threading.Event().wait(0.01)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=settings.shutdown_timeout + 5)
        sock.close()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``poverty-core serve``."""
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; any other needs "
        "--api-key-env)",
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--pack",
        dest="packs",
        action="append",
        default=[],
        metavar="PACK",
        help="serve this pack (repeatable; default: every installed pack)",
    )
    parser.add_argument(
        "--api-key-env",
        metavar="VARIABLE",
        help="the environment variable holding the API key every request must give in "
        "the X-API-Key header (health, readiness and the docs excepted)",
    )
    parser.add_argument(
        "--cors-origin",
        dest="cors_origins",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="allow browser calls from this origin (repeatable; default: no CORS)",
    )
    parser.add_argument(
        "--max-body", type=int, default=1 << 20, help="largest one-record body, bytes"
    )
    parser.add_argument(
        "--max-json-batch",
        type=int,
        default=32 << 20,
        help="largest JSON array of records, bytes",
    )
    parser.add_argument(
        "--max-references",
        type=int,
        default=32 << 20,
        help="largest reference data at the head of a register body (X-References-Length), bytes",
    )
    parser.add_argument(
        "--max-batch",
        type=int,
        default=1 << 30,
        help="largest JSON Lines, Arrow or Parquet body, bytes",
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="seconds a request may take (then 503)"
    )
    parser.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), default="info"
    )


def command(args: argparse.Namespace, out: TextIO) -> int:
    """``poverty-core serve``: the service until stopped (exit 0). An option that cannot
    be honoured is exit 2 (one line); a broken pack exit 4, through the command line's
    error handling."""
    try:
        settings = _settings(args)
        if not is_loopback(settings.host) and settings.api_key is None:
            raise _Usage(
                Text(
                    f"监听 {settings.host}（非本机地址）须设置 API 密钥：--api-key-env 变量名",
                    f"listening on {settings.host} (beyond this machine) needs an API key: "
                    "--api-key-env VARIABLE",
                )
            )
    except _Usage as err:
        print(redact(str(err.text)), file=sys.stderr)  # one line, both languages
        return 2
    # The service masks ID numbers in every answer: --show-id-numbers (for an officer at
    # a terminal) does not reach it.
    with _logging(args.log_level), showing_id_numbers(False):
        out.write(f"poverty-core serve: http://{args.host}:{args.port}/docs\n")
        out.flush()
        serve(settings)
    return 0


def _settings(args: argparse.Namespace) -> Any:
    api_key = None
    if args.api_key_env:
        api_key = os.environ.get(args.api_key_env)
        if not api_key:
            raise _Usage(
                Text(
                    f"环境变量 {args.api_key_env} 未设置或为空",
                    f"the environment variable {args.api_key_env} is not set or empty",
                )
            )
    for name, value in (
        ("--max-body", args.max_body),
        ("--max-json-batch", args.max_json_batch),
        ("--max-batch", args.max_batch),
        ("--max-references", args.max_references),
        ("--timeout", args.timeout),
    ):
        if value <= 0:
            raise _Usage(Text(f"{name} 应为正数", f"{name} must be a positive number"))
    return Settings(
        host=args.host,
        port=args.port,
        packs=tuple(args.packs),
        api_key=api_key,
        cors_origins=tuple(args.cors_origins),
        max_body=args.max_body,
        max_json_batch=args.max_json_batch,
        max_batch=args.max_batch,
        max_references=args.max_references,
        timeout=args.timeout,
    )
