"""Docker cannot run here, so the deployment files are checked by reading them against the real app."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from app.config import REPO_ROOT, Settings

DEPLOY = REPO_ROOT / "deploy"
SETTING_NAMES = {f"THRESHOLD_{name.upper()}" for name in Settings.model_fields}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def k8s() -> dict[str, dict[str, Any]]:
    """Every manifest in deploy/k8s, by `Kind/name`."""
    found = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            found[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return found


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (REPO_ROOT / "Dockerfile").read_text()


def app_paths(client: TestClient) -> set[str]:
    return set(client.get("/openapi.json").json()["paths"])


# --- Compose and nginx ---------------------------------------------------------------------------


def test_compose_services_depend_on_services_that_exist(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"nginx", "redis"} <= set(services)
    for name, service in services.items():
        depends = service.get("depends_on", [])
        for dependency in depends if isinstance(depends, list) else list(depends):
            assert dependency in services, f"{name} depends on {dependency}, which is not a service"


def test_nginx_balances_over_two_or_more_app_services(compose: dict[str, Any]) -> None:
    conf = (DEPLOY / "nginx.conf").read_text()
    upstreams = dict(re.findall(r"upstream\s+(\w+)\s*\{([^}]*)\}", conf))
    assert upstreams, "nginx.conf has no upstream block"
    for passed in re.findall(r"proxy_pass\s+http://(\w+)\s*;", conf):
        assert passed in upstreams
    servers = [s for block in upstreams.values() for s in re.findall(r"server\s+([\w.-]+):(\d+)", block)]
    assert len(servers) >= 2
    app_services = {
        name
        for name, service in compose["services"].items()
        if "THRESHOLD_SESSION_STORE" in service.get("environment", {})
    }
    for host, port in servers:
        assert host in app_services, f"nginx upstream names {host}, not an app service in the compose file"
        assert port == "8000"
    assert set(compose["services"]["nginx"]["depends_on"]) == app_services
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in compose["services"]["nginx"]["volumes"]


def test_compose_apps_share_the_compose_redis_and_use_real_settings(compose: dict[str, Any]) -> None:
    services = compose["services"]
    apps = [s for s in services.values() if "THRESHOLD_SESSION_STORE" in s.get("environment", {})]
    assert len(apps) >= 2
    for service in apps:
        env = service["environment"]
        assert set(env) <= SETTING_NAMES, f"not settings: {set(env) - SETTING_NAMES}"
        Settings(**{k.removeprefix("THRESHOLD_").lower(): v for k, v in env.items() if v != ""})  # values validate
        host = re.fullmatch(r"redis://([\w-]+):(\d+)/\d+", env["THRESHOLD_SESSION_STORE"])
        assert host is not None and host[1] in services
        assert "redis" in service["depends_on"]
        assert (
            DEPLOY / service["build"]["context"] / service["build"]["dockerfile"]
        ).resolve() == REPO_ROOT / "Dockerfile"


def test_compose_stop_grace_outlasts_uvicorns(compose: dict[str, Any], dockerfile: str) -> None:
    graceful = int(re.search(r'"--timeout-graceful-shutdown",\s*"(\d+)"', dockerfile)[1])  # type: ignore[index]
    for service in compose["services"].values():
        if "stop_grace_period" in service:
            assert int(service["stop_grace_period"].rstrip("s")) > graceful


# --- Kubernetes ----------------------------------------------------------------------------------


def test_k8s_probes_point_at_existing_paths(k8s: dict[str, dict[str, Any]], fixture_client: TestClient) -> None:
    container = k8s["Deployment/threshold-guide"]["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    paths = app_paths(fixture_client)
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] in paths
        assert container[probe]["httpGet"]["port"] in {p["name"] for p in container["ports"]}
    assert fixture_client.get("/readyz").status_code == 200
    assert fixture_client.get("/healthz").status_code == 200


def test_k8s_config_is_real_settings(k8s: dict[str, dict[str, Any]]) -> None:
    deployment = k8s["Deployment/threshold-guide"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    config_name = container["envFrom"][0]["configMapRef"]["name"]
    data = k8s[f"ConfigMap/{config_name}"]["data"]
    names = set(data) | {e["name"] for e in container.get("env", [])}
    assert names <= SETTING_NAMES, f"not settings: {names - SETTING_NAMES}"
    Settings(**{k.removeprefix("THRESHOLD_").lower(): v for k, v in data.items() if v != ""})
    redis_host = re.fullmatch(r"redis://([\w-]+):(\d+)/\d+", data["THRESHOLD_SESSION_STORE"])
    assert redis_host is not None and f"Service/{redis_host[1]}" in k8s


def test_k8s_services_select_pods_and_ports_that_exist(k8s: dict[str, dict[str, Any]]) -> None:
    deployments = [d for d in k8s.values() if d["kind"] == "Deployment"]
    services = [s for s in k8s.values() if s["kind"] == "Service"]
    assert services
    for service in services:
        selector = service["spec"]["selector"]
        matching = [d for d in deployments if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert len(matching) == 1, f"Service {service['metadata']['name']} selects {len(matching)} deployments"
        port_names = {p["name"] for c in matching[0]["spec"]["template"]["spec"]["containers"] for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names


def test_k8s_runs_as_the_images_user_with_time_to_drain(k8s: dict[str, dict[str, Any]], dockerfile: str) -> None:
    pod = k8s["Deployment/threshold-guide"]["spec"]["template"]["spec"]
    assert str(pod["securityContext"]["runAsUser"]) == re.search(r"^USER (\d+)$", dockerfile, re.M)[1]  # type: ignore[index]
    graceful = int(re.search(r'"--timeout-graceful-shutdown",\s*"(\d+)"', dockerfile)[1])  # type: ignore[index]
    assert pod["terminationGracePeriodSeconds"] > graceful + 5  # + the preStop sleep


# --- Dockerfile ----------------------------------------------------------------------------------


def test_dockerfile_copies_what_the_app_needs_and_checks_content(dockerfile: str) -> None:
    copied = set(re.findall(r"^COPY (\S+)/ \1/$", dockerfile, re.M))
    assert copied == {"app", "rules", "dialogues", "schemas"}
    for folder in copied:
        assert (REPO_ROOT / folder).is_dir()
    assert dockerfile.startswith("# ") and "FROM python:3.11-slim" in dockerfile
    # Dependencies are installed before the code is copied (layer caching), and content is checked at build.
    assert dockerfile.index("pip install") < dockerfile.index("COPY app/")
    assert dockerfile.index("COPY dialogues/") < dockerfile.index("python -m app.content check")
    assert re.search(r"^USER 1001$", dockerfile, re.M)
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
    assert cmd is not None
    assert yaml.safe_load(cmd[1])[:2] == ["uvicorn", "app.main:app"]


def test_dockerignore_lets_in_exactly_what_the_dockerfile_copies(dockerfile: str) -> None:
    lines = [ln for ln in (REPO_ROOT / ".dockerignore").read_text().splitlines() if ln and not ln.startswith("#")]
    assert lines[0] == "*"
    allowed = {ln.removeprefix("!").rstrip("/") for ln in lines if ln.startswith("!")}
    copied = set(re.findall(r"^COPY (\S+?)/? ", dockerfile, re.M))
    assert copied == allowed


def test_dockerfile_dependency_step_lists_the_project_dependencies(dockerfile: str, tmp_path: Path) -> None:
    run = re.search(r'RUN (python -c ".*?")\s*\\\n\s*> /tmp/requirements.txt', dockerfile, re.S)
    assert run is not None
    command = shlex.split(run[1])
    (tmp_path / "pyproject.toml").write_bytes((REPO_ROOT / "pyproject.toml").read_bytes())
    listed = subprocess.run([sys.executable, *command[1:]], cwd=tmp_path, capture_output=True, text=True, check=True)
    expected = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert listed.stdout.split("\n")[:-1] == expected
