"""`meridian-router --config router.yaml [--check] [--host H] [--port P] [--workers N]`"""

from __future__ import annotations

import argparse
import os
import sys

from .config import ConfigError, load_config


def build_app(path: str):
    from . import logs
    from .server import RouterApp

    cfg = load_config(path)
    logs.setup(cfg.server.log_level)
    return RouterApp(cfg)


def app_factory():
    """uvicorn factory (used for --workers > 1): reads the config path from MERIDIAN_ROUTER_CONFIG."""
    return build_app(os.environ["MERIDIAN_ROUTER_CONFIG"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="meridian-router", description="Meridian inference router")
    ap.add_argument(
        "--config", "-c", default=os.environ.get("MERIDIAN_ROUTER_CONFIG", "/etc/meridian/router.yaml")
    )
    ap.add_argument("--check", action="store_true", help="validate the config and exit")
    ap.add_argument("--host")
    ap.add_argument("--port", type=int)
    ap.add_argument(
        "--workers", type=int, default=1, help="processes (state is per process unless Redis is set)"
    )
    args = ap.parse_args(argv)
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check:
        print(f"{args.config}: ok ({len(cfg.backends)} backends, {len(cfg.tenants)} tenants)")
        return 0
    import uvicorn

    host = args.host or cfg.server.host
    port = args.port or cfg.server.port
    common = dict(
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
        backlog=4096,
        timeout_keep_alive=30,
    )
    if args.workers > 1:
        os.environ["MERIDIAN_ROUTER_CONFIG"] = os.path.abspath(args.config)
        uvicorn.run("meridian_router.__main__:app_factory", factory=True, workers=args.workers, **common)
    else:
        uvicorn.run(build_app(args.config), **common)
    return 0


if __name__ == "__main__":
    sys.exit(main())
