"""Routing policy: which backends may serve a request, in which order.

Filter: model, airgap, residency, request features the backend's API honours (tools, structured
output, n, logprobs: never dropped silently), breaker/health (budget is checked per attempt, so a tenant
over budget can still use free local backends). Order: local, edge, cloud; within a tier
un-demoted before latency-demoted, then by EWMA latency plus a cost weight.
"""

from __future__ import annotations

import random
import time

from . import features
from .adapters import Adapter, make_adapter
from .breakers import Breaker
from .config import CLOUD_PROVIDERS, TIER_RANK, BackendConfig, RouterConfig
from .errors import RouterError
from .residency import backend_allowed


class Backend:
    __slots__ = ("adapter", "breaker", "cfg", "cost_ms", "jurisdiction", "name", "rank", "tier")

    def __init__(self, cfg: BackendConfig, alpha: float, cost_weight: float) -> None:
        self.cfg = cfg
        self.name = cfg.name
        self.tier = cfg.tier
        self.rank = TIER_RANK[cfg.tier]
        self.jurisdiction = cfg.jurisdiction
        self.adapter: Adapter = make_adapter(cfg)
        self.breaker = Breaker(cfg.breaker, alpha)
        self.cost_ms = {
            m.name: cost_weight
            * (cfg.price_for(m.name).input_per_mtok + cfg.price_for(m.name).output_per_mtok)
            for m in cfg.models
        }

    def is_cloud(self) -> bool:
        return self.tier == "cloud" or self.cfg.provider in CLOUD_PROVIDERS


class RoutingPolicy:
    def __init__(self, cfg: RouterConfig) -> None:
        r = cfg.routing
        self.backends = [Backend(b, r.ewma_alpha, r.cost_weight_ms_per_usd_mtok) for b in cfg.backends]
        self.airgap = cfg.airgap
        self.by_model: dict[str, list[Backend]] = {}
        self.airgapped_models: set[str] = set()
        for b in self.backends:
            for m in b.cfg.models:
                if self.airgap and b.is_cloud():
                    self.airgapped_models.add(m.name)
                    continue
                self.by_model.setdefault(m.name, []).append(b)
        # Models some backend of which cannot honour every request feature: only their requests are
        # inspected for features (the others skip the scan).
        self.limited_models = {
            m for m, bs in self.by_model.items() if any(b.adapter.features != features.ALL for b in bs)
        }

        self.groups = cfg.model_groups

    def models(self) -> list[str]:
        return sorted(self.by_model)

    def group_order(self, name: str) -> list[str]:
        """A group's models in the order to try them: the members in a weighted random order (the
        first pick spreads load by weight), then the fallbacks as listed."""
        g = self.groups[name]
        members = list(g.members)
        order: list[str] = []
        while members:
            pick = random.choices(range(len(members)), weights=[m.weight for m in members])[0]
            order.append(members.pop(pick).model)
        return order + [m for m in g.fallbacks if m not in order]

    def plan_chain(
        self, op: str, name: str, scope: frozenset[str], body: dict | None = None, native: str | None = None
    ) -> tuple[list[Backend], list[str] | None]:
        """The backends to try in order, and the model each serves (None: `name`, for all). A model name
        plans its own backends; a model group plans each of its models in turn and joins the plans (a
        model with no healthy, compliant or capable backend is skipped, so the chain falls back to the
        next). Every model's plan is filtered by the same jurisdiction scope: no link of the chain can
        leave it."""
        if name not in self.groups:
            return self.plan(op, name, scope, body, native), None
        backends: list[Backend] = []
        models: list[str] = []
        first: RouterError | None = None
        for model in self.group_order(name):
            try:
                plan = self.plan(op, model, scope, body, native)
            except RouterError as exc:
                first = first or exc
                continue
            backends += plan
            models += [model] * len(plan)
        if not backends:
            assert first is not None
            raise RouterError(
                first.status,
                first.code,
                f"model group {name!r}: no model of the group can serve this request ({first.message})",
                headers=first.headers,
                param=first.param,
            )
        return backends, models

    def plan(
        self, op: str, model: str, scope: frozenset[str], body: dict | None = None, native: str | None = None
    ) -> list[Backend]:
        """`native`: the inbound API (responses, messages) the request came in; a backend that serves it
        natively gets it untranslated, so honours whatever that API carries."""
        cands = self.by_model.get(model)
        if cands is None:
            if model in self.airgapped_models:
                raise RouterError(
                    503,
                    "no_compliant_backend",
                    f"model {model!r} is served only by cloud backends, which airgap mode forbids",
                )
            raise RouterError(404, "model_not_found", f"model {model!r} does not exist on this router")
        if not any(op in b.adapter.ops for b in cands):  # the request's fault, wherever it is served
            raise RouterError(
                400,
                "unsupported_operation",
                f"model {model!r} does not serve {op!r} on this router (its backends: "
                f"{', '.join(sorted({b.cfg.provider for b in cands}))})",
                param="model",
            )
        allowed = [b for b in cands if op in b.adapter.ops and backend_allowed(b.jurisdiction, scope)]
        if not allowed:
            raise RouterError(
                503,
                "no_compliant_backend",
                f"no backend for model {model!r} serves {op!r} inside jurisdiction(s) {sorted(scope)}",
            )
        needs = (
            features.required(op, body)
            if body is not None and model in self.limited_models
            else features.NONE
        )
        if needs:
            capable = [b for b in allowed if needs <= b.adapter.features or native in b.adapter.native]
            if not capable:
                raise RouterError(
                    400,
                    "unsupported_feature",
                    f"no backend for model {model!r} inside jurisdiction(s) {sorted(scope)} supports "
                    f"{features.describe(needs)} (its backends there: "
                    f"{', '.join(f'{b.name} ({b.cfg.provider})' for b in allowed)})",
                )
            allowed = capable
        now = time.monotonic()
        ready = [b for b in allowed if b.breaker.available(now)]
        if not ready:
            raise RouterError(
                503,
                "no_healthy_backend",
                f"every compliant backend for model {model!r} is unhealthy or cooling down",
                headers={"retry-after": "1"},
            )
        if len(ready) > 1:
            ready.sort(key=lambda b: (b.rank, b.breaker.demoted, b.breaker.ewma_ms + b.cost_ms[model]))
        return ready
