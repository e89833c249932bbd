"""``poverty-core serve``: the library over HTTP/JSON, with the same answers.

Needs the ``serve`` extra (``pip install 'poverty-core[serve]'``: Starlette, uvicorn and a
bundled Swagger UI). Importing this package needs none of it; :func:`create_app` and
:func:`serve` do.

* :func:`create_app` — the ASGI application (packs loaded once, here);
* :func:`serve` — run it with uvicorn until stopped;
* :func:`running` — run it in a thread on a free loopback port, for tests and embedding;
* :class:`Settings` — host, packs, API key, CORS, body and time limits.

See the documentation page *HTTP service* for the endpoints, a ``curl`` session and a
JavaScript client.
"""

from __future__ import annotations

import argparse
import importlib.util
from typing import TYPE_CHECKING, Any, TextIO

from poverty_core._text import Text
from poverty_core.errors import PovertyCoreError
from poverty_core.service import server
from poverty_core.service.settings import Settings

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["MissingServeExtra", "Settings", "add_arguments", "command", "create_app", "running"]


class MissingServeExtra(PovertyCoreError, ImportError):
    """The ``serve`` extra is not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            Text(
                f"HTTP 服务需要 serve 附加依赖（缺 {missing}）：pip install 'poverty-core[serve]'",
                f"the HTTP service needs the serve extra (missing {missing}): "
                "pip install 'poverty-core[serve]'",
            )
        )


def _need_extra() -> None:
    for module in ("starlette", "uvicorn", "swagger_ui_bundle"):
        if importlib.util.find_spec(module) is None:
            raise MissingServeExtra(module)


def create_app(settings: Settings | None = None, **kwargs: Any) -> Starlette:
    """The ASGI application. The packs (``settings.packs``, default every installed one)
    are loaded here, once: a broken pack raises :class:`~poverty_core.errors.PackError`
    now, not at the first request. Keyword ``packs`` gives them ready-made (a mapping of
    name to :class:`~poverty_core.packs.Pack`), ``registry`` loads them from another
    :class:`~poverty_core.plugins.PackRegistry`."""
    _need_extra()
    # Imported here, not above: the application module imports Starlette (the extra).
    from poverty_core.service.app import create_app as make

    return make(settings, **kwargs)


def running(settings: Settings | None = None, **kwargs: Any) -> Any:
    """A context manager: the service run by uvicorn in a thread on a free port of
    ``settings.host`` (127.0.0.1), giving its base URL (``http://127.0.0.1:PORT``), and
    stopped (gracefully) when the block ends — for tests, benchmarks and embedding.
    Keyword arguments go to :func:`create_app`."""
    _need_extra()
    return server.running(settings, **kwargs)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``poverty-core serve`` (none of them needs the extra)."""
    server.add_arguments(parser)


def command(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``poverty-core serve`` with parsed ``args``."""
    _need_extra()
    return server.command(args, out)
