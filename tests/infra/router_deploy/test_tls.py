"""The public ingress is HTTPS from Cloudflare to the pod: the Service's 443 targets the router's TLS
listener, probes are HTTPS, the ConfigMap names the mounted certificate files (never PEM), the key is
only ever a secret in the plan, the Gateway serves the same Secret, and the Cloudflare monitor probes
what the Service serves."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from infra.router_contract import config_gen
from meridian.plan.mock_state.other import _SECRET_SIG, _SECRET_SIG_KEY
from meridian.plan.runner import Plan
from tests.infra.router_deploy.helpers import k8s_objects, plan_routers, stack_with

MONITOR = "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor"
ORIGIN_CERT = "cloudflare:index/originCaCertificate:OriginCaCertificate"


@pytest.fixture(scope="module")
def dev_tls() -> Plan:
    """Routers and Cloudflare together, as build_platform wires them."""
    return plan_routers("dev", stack_with("dev"), cloudflare=True)


def _objs(plan: Plan, kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [o for o in k8s_objects(plan) if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]


def _is_secret(v: Any) -> bool:
    return isinstance(v, dict) and v.get(_SECRET_SIG_KEY) == _SECRET_SIG


def _tls_secrets(plan: Plan) -> dict[str, dict[str, Any]]:
    """Cluster name -> the router's TLS Secret resource (urn, inputs, dependencies)."""
    out = {}
    for r in plan.of_type("kubernetes:core/v1:Secret"):
        if (r.get("inputs") or {}).get("metadata", {}).get("name") == "router-origin-tls":
            out[r["urn"].rsplit("::router-", 1)[1].removesuffix("-tls")] = r
    return out


def _router_config(cm: dict[str, Any]) -> dict[str, Any]:
    return yaml.safe_load(cm["data"][config_gen.CONFIG_FILE])


def test_public_service_443_targets_the_tls_listener(dev_tls: Plan) -> None:
    services = _objs(dev_tls, "Service", "router-public")
    deployments = _objs(dev_tls, "Deployment", "router")
    configs = _objs(dev_tls, "ConfigMap", "router-config")
    assert len(services) == len(deployments) == len(configs) == 3
    for svc, dep, cm in zip(services, deployments, configs, strict=True):
        assert svc["spec"]["ports"] == [{"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"}]
        ports = {p["name"]: p["containerPort"] for p in dep["spec"]["template"]["spec"]["containers"][0]["ports"]}
        server = _router_config(cm)["server"]
        # the Service's target port is the port the router serves HTTPS on, and not the plain one
        assert ports["https"] == server["tls_port"] == config_gen.TLS_PORT
        assert ports["http"] == server["port"] != server["tls_port"]
    # peers keep the internal plain listener
    for internal in _objs(dev_tls, "Service", "router-internal"):
        assert [(p["port"], p["targetPort"]) for p in internal["spec"]["ports"]] == [(8080, "http")]


def test_probes_are_https_on_the_tls_port(dev_tls: Plan) -> None:
    for dep in _objs(dev_tls, "Deployment", "router"):
        c = dep["spec"]["template"]["spec"]["containers"][0]
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            assert c[probe]["httpGet"] == {"path": path, "port": "https", "scheme": "HTTPS"}


def test_configmap_names_the_mounted_files_and_holds_no_pem(dev_tls: Plan) -> None:
    for cm, dep in zip(_objs(dev_tls, "ConfigMap", "router-config"), _objs(dev_tls, "Deployment", "router"), strict=True):
        text = json.dumps(cm)
        assert "BEGIN" not in text and "PRIVATE KEY" not in text and "MOCK" not in text
        server = _router_config(cm)["server"]
        assert server["tls_cert_file"] == "/etc/meridian/tls/tls.crt"
        assert server["tls_key_file"] == "/etc/meridian/tls/tls.key"
        assert "tls_client_ca_file" not in server  # Authenticated Origin Pulls is off by default
        pod = dep["spec"]["template"]["spec"]
        mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["mountPath"] == config_gen.TLS_DIR)
        assert mount["readOnly"] is True
        vol = next(v for v in pod["volumes"] if v["name"] == mount["name"])
        assert vol["secret"]["secretName"] == "router-origin-tls"
        assert vol["secret"]["defaultMode"] == 0o440


def test_tls_secret_holds_the_clusters_own_origin_certificate_as_a_secret(dev_tls: Plan) -> None:
    certs = {r["urn"].rsplit("::", 1)[1]: r["urn"] for r in dev_tls.of_type(ORIGIN_CERT)}
    secrets = _tls_secrets(dev_tls)
    assert set(secrets) == {"aws-dev-use1", "gcp-dev-euw1", "az-dev-weu"}
    for cluster, s in secrets.items():
        assert s["inputs"]["type"] == "kubernetes.io/tls"
        assert _is_secret(s["inputs"]["stringData"])  # the plan document holds an envelope only
        # built from this cluster's Origin CA certificate and key, and no other cluster's
        deps = set(s["dependencies"])
        assert certs[f"edge-{cluster}-origin-origin-ca"] in deps
        assert not [u for n, u in certs.items() if u in deps and cluster not in n]
        assert any(u.endswith(f"::edge-{cluster}-origin-key") for u in deps)


def _plain_strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string of a plan document outside secret envelopes, with where it is."""
    if _is_secret(value):
        return []
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _plain_strings(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in _plain_strings(v, f"{path}[{i}]")]
    return [(path, value)] if isinstance(value, str) else []


def test_private_keys_appear_only_as_secret_envelopes(dev_tls: Plan) -> None:
    keys = dev_tls.of_type("tls:index/privateKey:PrivateKey")
    assert len(keys) == 3 and all(_is_secret(k["outputs"]["privateKeyPem"]) for k in keys)
    leaks = [
        (r["urn"], where)
        for r in dev_tls.resources
        for where, text in _plain_strings({"inputs": r.get("inputs"), "outputs": r.get("outputs")})
        if "PRIVATE KEY" in text
    ]
    assert not leaks, leaks
    assert not [s for _, s in _plain_strings(dev_tls.stack_outputs) if "PRIVATE KEY" in s]


def test_gateway_mode_serves_the_same_origin_certificate_secret() -> None:
    plan = plan_routers("dev", stack_with("dev", ingress="gateway"), cloudflare=True)
    gateways = _objs(plan, "Gateway")
    assert len(gateways) == 3
    secrets = {(s["metadata"]["name"], s["type"]) for s in _objs(plan, "Secret")}
    for gw in gateways:
        listener = gw["spec"]["listeners"][0]
        assert listener["protocol"] == "HTTPS" and listener["port"] == 443
        ref = listener["tls"]["certificateRefs"][0]["name"]
        assert (ref, "kubernetes.io/tls") in secrets
    certs = {r["urn"] for r in plan.of_type(ORIGIN_CERT)}
    assert all(certs & set(s["dependencies"]) for s in _tls_secrets(plan).values())


def test_cloudflare_monitor_probes_what_the_service_serves(dev_tls: Plan) -> None:
    (monitor,) = dev_tls.of_type(MONITOR)
    m = monitor["inputs"]
    assert m["type"] == "https" and m["allowInsecure"] is False
    for svc in _objs(dev_tls, "Service", "router-public"):
        (port,) = svc["spec"]["ports"]
        assert port["port"] == m["port"] and port["name"] == "https"
    for dep in _objs(dev_tls, "Deployment", "router"):
        assert dep["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["path"] == m["path"]


def test_a_monitor_port_the_routers_do_not_serve_is_refused() -> None:
    cfg = stack_with("dev")
    assert cfg.cloudflare is not None
    monitor = cfg.cloudflare.monitor.model_copy(update={"port": 8443})
    bad = stack_with("dev", cloudflare={"monitor": monitor})
    with pytest.raises(Exception, match=r"cloudflare\.monitor\.port: 8443"):
        plan_routers("dev", bad, clusters=["aws-dev-use1"])


def test_without_cloudflare_the_public_port_is_still_https_self_signed() -> None:
    plan = plan_routers("dev", stack_with("dev"), clusters=["aws-dev-use1"])
    assert not plan.of_type(ORIGIN_CERT)
    (secret,) = _tls_secrets(plan).values()
    assert secret["inputs"]["type"] == "kubernetes.io/tls" and _is_secret(secret["inputs"]["stringData"])
    (cert,) = plan.of_type("tls:index/selfSignedCert:SelfSignedCert")
    assert cert["urn"] in secret["dependencies"]
    assert cert["inputs"]["dnsNames"] == ["router.aws-dev-use1.router.meridian.internal"]
    (svc,) = _objs(plan, "Service", "router-public")
    assert svc["spec"]["ports"][0]["targetPort"] == "https"


def test_authenticated_origin_pulls_requires_cloudflares_client_certificate() -> None:
    plan = plan_routers("dev", stack_with("dev", cloudflare={"authenticated_origin_pulls": True}), cloudflare=True)
    # pulumi-cloudflare 6: the zone-wide setting and the zone's client certificate
    (zone,) = plan.of_type("cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings")
    assert zone["inputs"]["enabled"] is True and "hostname" not in zone["inputs"]  # zone-wide
    (upload,) = plan.of_type("cloudflare:index/authenticatedOriginPullsCertificate:AuthenticatedOriginPullsCertificate")
    assert _is_secret(upload["inputs"]["privateKey"]) and upload["urn"] in zone.get("dependencies", [])
    (ca,) = [r for r in plan.of_type("tls:index/selfSignedCert:SelfSignedCert") if "origin-pull" in r["urn"]]
    assert ca["inputs"]["isCaCertificate"] is True
    for s in _tls_secrets(plan).values():
        assert ca["urn"] in s["dependencies"]  # ca.crt: the routers trust our origin-pull CA
    for cm in _objs(plan, "ConfigMap", "router-config"):
        assert _router_config(cm)["server"]["tls_client_ca_file"] == "/etc/meridian/tls/ca.crt"
    for dep in _objs(plan, "Deployment", "router"):
        c = dep["spec"]["template"]["spec"]["containers"][0]
        # kubelet has no client certificate: probes use the plain port under mTLS
        assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http", "scheme": "HTTP"}
