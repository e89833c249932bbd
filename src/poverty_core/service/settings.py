"""How the HTTP service runs (no dependency beyond the core: the command line builds
these before the ``serve`` extra is needed)."""

from __future__ import annotations

import attrs

__all__ = ["Settings"]


@attrs.frozen
class Settings:
    """How the service runs. The defaults are the safe ones: loopback only, no CORS,
    bounded bodies and time."""

    host: str = "127.0.0.1"
    """The address to listen on (only loopback unless an API key is set)."""
    port: int = 8000
    packs: tuple[str, ...] = ()
    """The packs to serve (default: every installed pack)."""
    api_key: str | None = None
    """When set, every request but health, readiness, the OpenAPI document and the docs
    page must carry it in the ``X-API-Key`` header."""
    cors_origins: tuple[str, ...] = ()
    """Origins allowed to call from a browser (default: none, no CORS headers)."""
    max_body: int = 1 << 20
    """Largest body of one record (bytes)."""
    max_json_batch: int = 32 << 20
    """Largest JSON array of records (read into memory)."""
    max_batch: int = 1 << 30
    """Largest JSON Lines, Arrow or Parquet body (spooled to a temporary file)."""
    timeout: float = 120.0
    """Seconds a request may take before it is answered 503."""
    batch_size: int = 65536
    """Households per batch when a register body is read."""
    shutdown_timeout: float = 30.0
    """Seconds requests in flight get to finish when the service is stopped."""
