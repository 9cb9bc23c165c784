"""The deployment files, validated offline against the schemas of their formats.

The compose files against the Compose Specification's JSON schema (vendored in
deploy/schemas with its source, version and SHA-256); the Kubernetes base of deploy/k8s,
rendered from its kustomization, against the Kubernetes OpenAPI schemas that the
`kubernetes-validate` package ships, and checked for what the services need: probes on
`/healthz`, resource requests, settings and secrets that are real settings.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import kubernetes_validate
import pytest
import yaml

from services.kit.settings import env_var_names
from simulator.system.settings import SETTINGS_CLASSES

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "deploy" / "schemas"
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30.0"
COMPOSE_FILES = ["docker-compose.yml", "docker-compose.secure.yml"]


def compose_validator() -> Any:
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema)


def rendered_k8s() -> list[dict[str, Any]]:
    """The resources of the kustomization (it lists resource files and nothing else)."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    assert set(kustomization) == {"apiVersion", "kind", "resources"}, "render more than files"
    return [
        doc
        for name in kustomization["resources"]
        for doc in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8"))
        if doc
    ]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [r for r in rendered_k8s() if r["kind"] == kind]


def test_the_vendored_compose_schema_is_the_one_its_readme_names() -> None:
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((SCHEMAS / "compose-spec.json").read_bytes()).hexdigest()
    assert f"`{digest}`" in readme


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_a_compose_file_is_valid_by_the_compose_specification(name: str) -> None:
    document = yaml.safe_load((ROOT / "deploy" / name).read_text(encoding="utf-8"))
    errors = [str(e).splitlines()[0] for e in compose_validator().iter_errors(document)]
    assert not errors, errors


def test_the_compose_schema_refuses_an_unknown_service_key() -> None:
    document = {"services": {"city_portal": {"image": "portalsim:0.1.0", "helthcheck": {}}}}
    errors = [str(e) for e in compose_validator().iter_errors(document)]
    assert any("helthcheck" in e for e in errors), errors


def test_every_kubernetes_resource_is_valid_by_the_kubernetes_schemas() -> None:
    for resource in rendered_k8s():
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_the_kubernetes_validator_refuses_a_misspelt_field() -> None:
    [deployment, *_] = of_kind("Deployment")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_each_service_has_a_deployment_and_a_service_on_its_port() -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    services = {s["metadata"]["name"]: s for s in of_kind("Service")}
    for name, settings_class in SETTINGS_CLASSES.items():
        dns = name.replace("_", "-")
        port = settings_class.model_fields["http_port"].default
        [container] = deployments[dns]["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", f"services.{name}"]
        assert container["ports"] == [{"name": "http", "containerPort": port}]
        assert services[dns]["spec"]["ports"][0]["port"] == port


def test_every_deployment_probes_healthz_and_requests_resources() -> None:
    for deployment in of_kind("Deployment"):
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        for probe in ("readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])


def test_the_settings_and_secrets_name_real_settings_of_the_services() -> None:
    known = {v for c in SETTINGS_CLASSES.values() for v in env_var_names(c).values()}
    for resource in of_kind("ConfigMap") + of_kind("Secret"):
        for key in resource.get("data") or resource.get("stringData") or {}:
            assert key in known or key == "PGPASSWORD", key


def test_the_kafka_bootstrap_and_postgresql_url_are_settings_and_no_password_is() -> None:
    [settings] = of_kind("ConfigMap")
    data = settings["data"]
    for name in SETTINGS_CLASSES:
        assert data[f"PORTALSIM_{name.upper()}_KAFKA_BOOTSTRAP"]
        url = data[f"PORTALSIM_{name.upper()}_STORE_URL"]
        assert re.fullmatch(r"postgresql://\w+@[\w.-]+:\d+/\w+", url), url
    assert not [k for k in data if "PASSWORD" in k or "TOKEN" in k]
