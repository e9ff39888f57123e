"""`meridian-router --config router.yaml [--check] [--host H] [--port P] [--workers N]`

Listeners: plain HTTP on `server.port` (unless `server.plain_http: false`) and, with
`server.tls_cert_file` / `tls_key_file`, HTTPS on `server.tls_port` (mTLS with
`server.tls_client_ca_file`). Both serve the same app in one process and event loop."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from .config import ConfigError, RouterConfig, load_config, tls_context


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
        tls_context(cfg.server)  # the files load now, or the error names them
        if cfg.auth.api_keys_file:
            from .keys import read_key_file

            read_key_file(cfg.auth.api_keys_file, set(cfg.tenants))
    except (ConfigError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check:
        tls = f", https on {cfg.server.tls_port}" if cfg.server.tls else ""
        print(f"{args.config}: ok ({len(cfg.backends)} backends, {len(cfg.tenants)} tenants{tls})")
        return 0
    if cfg.server.tls and args.workers > 1:
        print(
            "--workers > 1 is not supported with HTTPS (server.tls_cert_file): run more replicas",
            file=sys.stderr,
        )
        return 2
    import uvicorn

    host = args.host or cfg.server.host
    port = args.port or cfg.server.port
    common: dict[str, Any] = dict(
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
        backlog=4096,
        timeout_keep_alive=30,
        # Nothing reads X-Forwarded-* (residency uses CF-IPCountry): skip the middleware on every
        # request; and do not advertise the server software.
        proxy_headers=False,
        server_header=False,
    )
    if cfg.server.tls:
        rest = {k: v for k, v in common.items() if k not in ("host", "port")}
        serve_listeners(build_app(args.config), cfg, host=host, port=port, **rest)
    elif args.workers > 1:
        os.environ["MERIDIAN_ROUTER_CONFIG"] = os.path.abspath(args.config)
        uvicorn.run("meridian_router.__main__:app_factory", factory=True, workers=args.workers, **common)
    else:
        uvicorn.run(build_app(args.config), **common)
    return 0


def listener_servers(app: Any, cfg: RouterConfig, *, host: str, port: int, **common: Any) -> list[Any]:
    """uvicorn Servers for the configured listeners, HTTP first; only the first runs the app's
    lifespan (startup/shutdown happen once). The HTTPS one uses tls_context (TLS >= 1.2, the
    client CA and CERT_REQUIRED for mTLS)."""
    import uvicorn

    opts = {k: v for k, v in common.items() if k not in ("host", "port", "lifespan")}
    servers: list[uvicorn.Server] = []
    if cfg.server.plain_http:
        servers.append(uvicorn.Server(uvicorn.Config(app, host=host, port=port, lifespan="on", **opts)))
    ctx = tls_context(cfg.server)
    if ctx is not None:
        tls_cfg = uvicorn.Config(
            app,
            host=host,
            port=cfg.server.tls_port,
            lifespan="off" if servers else "on",
            ssl_certfile=cfg.server.tls_cert_file,
            ssl_keyfile=cfg.server.tls_key_file,
            **opts,
        )
        tls_cfg.load()
        tls_cfg.ssl = ctx  # ours, not uvicorn's (its default cipher string drops the AEAD suites)
        servers.append(uvicorn.Server(tls_cfg))
    return servers


async def serve_all(servers: list[Any]) -> None:
    """Run the listeners together; a signal (or one listener stopping) stops them all."""
    primary = servers[0]
    captured = primary.handle_exit

    def handle_exit(sig: int, frame: Any) -> None:
        captured(sig, frame)
        for s in servers[1:]:
            s.should_exit, s.force_exit = primary.should_exit, primary.force_exit

    primary.handle_exit = handle_exit
    with primary.capture_signals():
        # The others listen only once the first has run the app's startup (lifespan).
        tasks = [asyncio.ensure_future(primary._serve())]
        while not primary.started and not tasks[0].done():
            await asyncio.sleep(0.01)
        if not tasks[0].done():
            tasks += [asyncio.ensure_future(s._serve()) for s in servers[1:]]
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for s in servers:
            s.should_exit = True
        await asyncio.gather(*tasks)
        for t in done:
            t.result()


def serve_listeners(app: Any, cfg: RouterConfig, *, host: str, port: int, **common: Any) -> None:
    servers = listener_servers(app, cfg, host=host, port=port, **common)
    loop_factory = servers[0].config.get_loop_factory()
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(serve_all(servers))


if __name__ == "__main__":
    sys.exit(main())
