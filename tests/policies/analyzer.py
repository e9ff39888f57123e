"""Run a policy pack the way the Pulumi CLI runs a Python pack, over the analyzer gRPC protocol.

The CLI starts `python -m pulumi.policy <engine address> <pack dir>` in the pack's directory with the
PULUMI_* environment, reads the port the pack prints on stdout, then calls GetAnalyzerInfo, Configure
and AnalyzeStack with protobuf Structs: at a preview the resources' inputs (values computed from other
resources are the engine's unknown marker), on update their outputs; secrets wrapped in the secret
signature. The stubs are the ones that ship in the `pulumi` SDK. A fake engine (127.0.0.1) receives
the pack's log calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2_grpc

SECRET_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
LEVELS = {0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate"}


class FakeEngine(engine_pb2_grpc.EngineServicer):
    def __init__(self) -> None:
        self.logs: list[str] = []

    def Log(self, request: Any, context: Any) -> Any:
        self.logs.append(request.message)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        from pulumi.runtime.proto import engine_pb2

        return engine_pb2.GetRootResourceResponse(urn="")

    def SetRootResource(self, request: Any, context: Any) -> Any:
        from pulumi.runtime.proto import engine_pb2

        return engine_pb2.SetRootResourceResponse()


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    urn: str
    message: str
    level: str


def _wire(value: Any) -> Any:
    """A state value as the engine sends it to an analyzer: secrets wrapped with their plaintext
    (an offline plan holds no plaintext: a placeholder stands for it)."""
    if isinstance(value, Mapping):
        if value.get(SECRET_KEY) == SECRET_SIG:
            inner = value.get("value", "[secret]") if "value" in value else "[secret]"
            return {SECRET_KEY: SECRET_SIG, "value": _wire(inner)}
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(json.loads(json.dumps(_wire(value))))
    return s


def stack_request(document: Mapping[str, Any], preview: bool) -> analyzer_pb2.AnalyzeStackRequest:
    """The AnalyzeStackRequest the engine builds from a snapshot (update) or a first preview's plan."""
    resources = document["deployment"]["resources"]
    by_urn = {r["urn"]: r for r in resources}

    def props(r: Mapping[str, Any]) -> Mapping[str, Any]:
        return (r.get("inputs") if preview else r.get("outputs")) or {}

    out = []
    for r in resources:
        provider = None
        ref = r.get("provider")
        if ref:
            purn = ref.rsplit("::", 1)[0]
            p = by_urn.get(purn)
            if p is not None:
                provider = analyzer_pb2.AnalyzerProviderResource(
                    type=p["type"], properties=_struct(props(p)), urn=purn, name=purn.rsplit("::", 1)[-1])
        out.append(analyzer_pb2.AnalyzerResource(
            type=r["type"], properties=_struct(props(r)), urn=r["urn"], name=r["urn"].rsplit("::", 1)[-1],
            options=analyzer_pb2.AnalyzerResourceOptions(protect=bool(r.get("protect")), parent=r.get("parent", "")),
            provider=provider, parent=r.get("parent", ""), dependencies=list(r.get("dependencies") or []),
            propertyDependencies={k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                                  for k, v in (r.get("propertyDependencies") or {}).items()},
        ))
    return analyzer_pb2.AnalyzeStackRequest(resources=out)


class Analyzer:
    """A running pack and a stub to it."""

    def __init__(self, stub: analyzer_pb2_grpc.AnalyzerStub, engine: FakeEngine, proc: subprocess.Popen[bytes]) -> None:
        self.stub, self.engine, self.proc = stub, engine, proc

    def info(self) -> Any:
        return self.stub.GetAnalyzerInfo(empty_pb2.Empty())

    def configure(self, config: Mapping[str, Mapping[str, Any]]) -> None:
        """Pack config as `--policy-pack-config` gives it: {policy: {"enforcementLevel": ..., ...}}."""
        levels = {"advisory": 0, "mandatory": 1, "disabled": 2}
        pcs = {}
        for name, cfg in config.items():
            cfg = dict(cfg)
            level = levels[cfg.pop("enforcementLevel", "mandatory")]
            pcs[name] = analyzer_pb2.PolicyConfig(enforcementLevel=level, properties=_struct(cfg))  # type: ignore[arg-type]
        self.stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=pcs))

    def analyze_stack(self, document: Mapping[str, Any], preview: bool) -> list[Diagnostic]:
        resp = self.stub.AnalyzeStack(stack_request(document, preview), timeout=300)
        # pulumi_policy sends "<policy description>\n<violation message>" (the CLI shows both)
        return [Diagnostic(d.policyName, d.urn, d.message.removeprefix(f"{d.description}\n"),
                           LEVELS[d.enforcementLevel]) for d in resp.diagnostics]


@contextmanager
def running_pack(pack_dir: Path, *, preview: bool, stack: str = "dev", python: str = sys.executable,
                 config: Mapping[str, Any] | None = None) -> Iterator[Analyzer]:
    engine = FakeEngine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(engine, server)
    engine_port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env.update({"PULUMI_PROJECT": "meridian", "PULUMI_STACK": stack, "PULUMI_ORGANIZATION": "acme",
                "PULUMI_DRY_RUN": "true" if preview else "false", "PULUMI_CONFIG": json.dumps(config or {}),
                "PYTHONUNBUFFERED": "1"})
    proc = subprocess.Popen([python, "-m", "pulumi.policy", f"127.0.0.1:{engine_port}", str(pack_dir)],
                            cwd=pack_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().strip()
        if not line.isdigit():
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"the pack did not print its port (got {line!r}); stderr:\n{err}")
        channel = grpc.insecure_channel(f"127.0.0.1:{line}", options=[
            ("grpc.max_receive_message_length", 256 << 20), ("grpc.max_send_message_length", 256 << 20)])
        grpc.channel_ready_future(channel).result(timeout=30)
        yield Analyzer(analyzer_pb2_grpc.AnalyzerStub(channel), engine, proc)
        channel.close()
    finally:
        proc.kill()
        proc.wait(timeout=30)
        server.stop(0)


def expected_diagnostics(violations: list[Any], advisory_policy: str) -> list[Diagnostic]:
    """What the pack must report for the offline evaluator's violations: mandatory ones under the
    rule's policy, advisory ones (overrides, deferred checks) under the advisory policy."""
    out = []
    for v in violations:
        if v.enforcement == "mandatory":
            out.append(Diagnostic(v.rule, v.urn, v.message, "mandatory"))
        elif v.enforcement == "advisory":
            out.append(Diagnostic(advisory_policy, v.urn, f"{v.rule}: {v.message}", "advisory"))
    return out


def as_json(diags: list[Diagnostic]) -> str:
    return "\n".join(sorted(json.dumps(d.__dict__, sort_keys=True) for d in diags))


__all__ = ["Analyzer", "Diagnostic", "as_json", "expected_diagnostics", "json_format", "running_pack",
           "stack_request"]
