"""The compose file: every variable it gives Pacer is one ``.env.example`` describes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.config import parse_roles, parse_shard_ids

ROOT = Path(__file__).resolve().parents[2]
_SETTING = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=", re.MULTILINE)
_INTERPOLATED = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def _pacer_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return {n: s for n, s in services.items() if s.get("image", "").startswith("pacer")}


def _documented() -> set[str]:
    return set(_SETTING.findall((ROOT / ".env.example").read_text()))


def test_every_variable_given_to_pacer_is_in_env_example() -> None:
    documented = _documented()
    services = _pacer_services()
    assert services, "compose.yaml runs no Pacer service"
    for name, service in services.items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), f"{name}: environment as a mapping, please"
        unknown = sorted(set(environment) - documented)
        assert unknown == [], f"{name} sets variables .env.example does not describe"
        read = {var for v in environment.values() for var in _INTERPOLATED.findall(str(v))}
        used = sorted(read - documented)
        assert used == [], f"{name} reads variables .env.example does not describe"


def test_the_compose_file_runs_the_service_the_docs_describe() -> None:
    services = _pacer_services()
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    roles = {
        n: parse_roles(s["environment"].get("PACER_ROLES"))
        for n, s in services.items()
        if n != "migrate"
    }
    assert sum("telegram" in r for r in roles.values()) == 2
    assert sum("scheduler" in r for r in roles.values()) == 2
    discord = [s["environment"] for n, s in services.items() if "discord" in roles.get(n, ())]
    shards = sorted(parse_shard_ids(e["DISCORD_SHARD_IDS"]) for e in discord)
    assert shards == [(0,), (1,)]
    assert {e["DISCORD_SHARD_COUNT"] for e in discord} == {"2"}
    for name, service in services.items():
        if name != "migrate":
            assert service["depends_on"]["migrate"]["condition"] == (
                "service_completed_successfully"
            )
    assert "postgresql://" in services["migrate"]["environment"]["DATABASE_URL"]


def test_every_pacer_process_shares_the_postgresql_service_and_serves_its_health_check() -> None:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert postgres["healthcheck"]["test"]  # migrate waits for it to answer, not to start
    pacer = _pacer_services()
    migrate = pacer["migrate"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    url = migrate["environment"]["DATABASE_URL"]
    assert "@postgres:" in url  # the compose service, by name
    for name, service in pacer.items():
        environment = service["environment"]
        assert environment["DATABASE_URL"] == url, name  # one database for every process
        if name == "migrate":
            continue
        # The health check asks /healthz on the port this process serves it on.
        check = " ".join(service["healthcheck"]["test"])
        port = environment["PACER_HTTP_PORT"]
        assert f"127.0.0.1:{port}/healthz" in check, name
        assert "http" in parse_roles(environment["PACER_ROLES"]), name


def _kubernetes() -> dict[str, dict[str, Any]]:
    """The manifests of docs/kubernetes.yaml by name."""
    text = (ROOT / "docs" / "kubernetes.yaml").read_text()
    return {d["metadata"]["name"]: d for d in yaml.safe_load_all(text) if d}


def _container(manifest: dict[str, Any]) -> dict[str, Any]:
    [container] = manifest["spec"]["template"]["spec"]["containers"]
    return dict(container)


def _env(manifest: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in _container(manifest)["env"]}


def test_the_kubernetes_example_runs_the_same_service() -> None:
    manifests = _kubernetes()
    documented = _documented()
    uid = re.search(r"--uid (\d+)", (ROOT / "Dockerfile").read_text())
    assert uid is not None
    for name, manifest in manifests.items():
        unknown = sorted(set(_env(manifest)) - documented)
        assert unknown == [], f"{name} sets variables .env.example does not describe"
        security = manifest["spec"]["template"]["spec"]["securityContext"]
        assert security == {"runAsNonRoot": True, "runAsUser": int(uid.group(1))}, name
    migrate = manifests["pacer-migrate"]
    assert (migrate["kind"], _container(migrate)["args"]) == ("Job", ["db", "upgrade"])
    roles = {
        n: (m["spec"]["replicas"], parse_roles(_env(m)["PACER_ROLES"]))
        for n, m in manifests.items()
        if m["kind"] != "Job"
    }
    assert sum(count for count, r in roles.values() if "telegram" in r) == 2
    assert sum(count for count, r in roles.values() if "scheduler" in r) == 2
    for name, manifest in manifests.items():
        if name == "pacer-migrate":
            continue
        port = int(_env(manifest)["PACER_HTTP_PORT"])
        assert "http" in roles[name][1]
        assert _container(manifest)["livenessProbe"]["httpGet"] == {
            "path": "/healthz",
            "port": port,
        }
    telegram = _container(manifests["pacer-telegram"])
    assert telegram["readinessProbe"]["httpGet"]["path"] == "/readyz"  # the webhook's router
    # Discord: a pod per shard, its index in the StatefulSet its shard.
    discord = manifests["pacer-discord"]
    assert discord["kind"] == "StatefulSet"
    env = _env(discord)
    assert discord["spec"]["replicas"] == int(env["DISCORD_SHARD_COUNT"])
    index = "metadata.labels['apps.kubernetes.io/pod-index']"
    assert env["DISCORD_SHARD_IDS"] == {"fieldRef": {"fieldPath": index}}
