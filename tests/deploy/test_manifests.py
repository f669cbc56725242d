"""deploy/: the Kubernetes manifests render and pass the Kubernetes and KEDA schemas, offline."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from domain.infra import redis_keys
from domain.infra.metrics import Metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
KUBERNETES_VERSION = "1.30.0"  # the oldest release these manifests promise to work on
CLUSTER_SCOPED = {"Namespace"}
KEDA_CRD = KUBERNETES / "schemas" / "keda.sh_scaledobjects.yaml"  # KEDA's own, unchanged


def keda_schema(version: str) -> dict[str, Any]:
    """The openAPIV3Schema of KEDA's ScaledObject CRD at ``version``, made strict."""
    crd = yaml.safe_load(KEDA_CRD.read_text())
    [served] = [v for v in crd["spec"]["versions"] if v["name"] == version]
    return strict(served["schema"]["openAPIV3Schema"])


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """Undeclared fields become errors (Kubernetes would prune them silently)."""
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {k: strict(v) for k, v in out["properties"].items()}
        out.setdefault("additionalProperties", False)
    if isinstance(out.get("items"), dict):
        out["items"] = strict(out["items"])
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = strict(out["additionalProperties"])
    return out


def render() -> list[dict[str, Any]]:
    """What `kubectl kustomize deploy/kubernetes` builds: resources, namespace, labels, tag."""
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    tag = {i["name"]: i["newTag"] for i in kustomization.get("images", [])}
    labels = {k: v for entry in kustomization.get("labels", []) for k, v in entry["pairs"].items()}
    documents = []
    for resource in kustomization["resources"]:
        for doc in yaml.safe_load_all((KUBERNETES / resource).read_text()):
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = kustomization["namespace"]
            doc["metadata"].setdefault("labels", {}).update(labels)
            for container in _containers(doc):
                if container["image"] in tag:
                    container["image"] += f":{tag[container['image']]}"
            documents.append(doc)
    return documents


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers of a Deployment or Job."""
    pod = doc.get("spec", {}).get("template", {}).get("spec", {})
    return list(pod.get("containers", []))


def by_name(documents: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    """One rendered resource."""
    [doc] = [d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


@pytest.mark.parametrize("doc", render(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_every_resource_passes_its_schema(doc: dict[str, Any]) -> None:
    if doc["apiVersion"].startswith("keda.sh/"):
        jsonschema.validate(doc, keda_schema(doc["apiVersion"].split("/")[1]))
    else:  # strict: a misspelt field fails instead of being ignored
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_example_secret_passes_and_holds_what_the_pods_read() -> None:
    secret = yaml.safe_load((KUBERNETES / "secret.example.yaml").read_text())
    kubernetes_validate.validate(secret, KUBERNETES_VERSION, strict=True)
    assert set(secret["stringData"]) == {"DATABASE_URL", "SECRET_KEY"}


def test_a_misspelt_field_is_caught() -> None:
    web = by_name(render(), "Deployment", "moderation-web")
    web["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize(("field", "value"), [
    ("maxReplicas", 10),  # KEDA says maxReplicaCount
    ("pollingInterval", "5"),  # an integer in KEDA's CRD
])
def test_keda_crd_catches_a_misspelt_or_mistyped_field(field: str, value: object) -> None:
    scaled = by_name(render(), "ScaledObject", "moderation-worker")
    scaled["spec"][field] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(scaled, keda_schema("v1alpha1"))


def test_the_shape_web_probes_one_beat_workers_scaled_on_the_pending_queue() -> None:
    documents = render()
    [web] = _containers(by_name(documents, "Deployment", "moderation-web"))
    assert web["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    beat = by_name(documents, "Deployment", "moderation-beat")
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    scaled = by_name(documents, "ScaledObject", "moderation-worker")
    assert scaled["spec"]["scaleTargetRef"]["name"] == "moderation-worker"
    [trigger] = scaled["spec"]["triggers"]
    assert trigger["type"] == "redis"
    assert trigger["metadata"]["listName"] == redis_keys.pending_queue()
    configs = {d["metadata"]["name"] for d in documents if d["kind"] == "ConfigMap"}
    for doc in documents:
        for container in _containers(doc):
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in configs


def test_the_dashboard_charts_only_metrics_the_service_exports() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "moderation-dashboard.json").read_text())
    exported = {f.name for m in Metrics().all() for f in m.describe()}
    exported.add("moderation_pending_queue_length")
    suffixes = ("_total", "_bucket", "_sum", "_count")
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            for name in re.findall(r"\bmoderation_[a-z_]+", target["expr"]):
                base = next((name.removesuffix(s) for s in suffixes if name.endswith(s)), name)
                used.add(name)
                assert base in exported, f"{panel['title']}: {name} is not exported"
    assert {"moderation_verdict_latency_seconds_bucket",
            "moderation_pending_queue_length"} <= used
