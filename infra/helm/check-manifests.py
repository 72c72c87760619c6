#!/usr/bin/env python3
"""Check rendered Helm manifests (stdin, as `helm template` prints them) and values files.

  helm template x infra/helm/concierge [-f values] | python3 infra/helm/check-manifests.py [VALUES_FILE...]

Every container of a workload has resources (requests and limits) and a non-root
security context (runAsNonRoot, no privilege escalation); every long-running container
(Deployment, DaemonSet, StatefulSet) has readiness and liveness probes; no Secret object
is rendered and no secret-looking variable has a literal value (secrets come by
reference: secretKeyRef); the values files hold no secret-looking key with a value.
Prints one line per problem; exit status 1 when there is any.
"""
import re
import sys

import yaml

SECRETISH = re.compile(r"(PASSWORD|SECRET|TOKEN|_KEY$|_KEYS$|DATABASE.*URL|REDIS_URL|CREDENTIAL)", re.I)
LONG_RUNNING = {"Deployment", "DaemonSet", "StatefulSet"}
problems = []


def pod_spec(doc):
    kind = doc.get("kind")
    spec = doc.get("spec") or {}
    if kind in LONG_RUNNING or kind == "Job":
        return spec.get("template", {}).get("spec")
    if kind == "CronJob":
        return spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec")
    return None


def check_env(where, env):
    for e in env or []:
        name, value = e.get("name", ""), e.get("value")
        if value is None or not SECRETISH.search(name):
            continue
        # A value made only of references to other variables ($(VAR)) carries no secret.
        if re.fullmatch(r"(\$\([A-Z0-9_]+\)|[:\s])*", str(value)):
            continue
        problems.append(f"{where}: env {name} has a literal value; take it from a Secret (secretKeyRef)")


def check_workload(doc):
    kind, name = doc.get("kind"), doc.get("metadata", {}).get("name")
    spec = pod_spec(doc)
    if spec is None:
        return
    pod_sc = spec.get("securityContext") or {}
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        where = f"{kind}/{name} container {c.get('name')}"
        res = c.get("resources") or {}
        if not res.get("requests") or not res.get("limits"):
            problems.append(f"{where}: resources need requests and limits")
        sc = c.get("securityContext") or {}
        if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
            problems.append(f"{where}: runAsNonRoot is not set")
        if sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
            problems.append(f"{where}: runs as uid 0")
        if sc.get("allowPrivilegeEscalation", True):
            problems.append(f"{where}: allowPrivilegeEscalation must be false")
        if sc.get("privileged"):
            problems.append(f"{where}: privileged")
        if kind in LONG_RUNNING:
            for probe in ("readinessProbe", "livenessProbe"):
                if not c.get(probe):
                    problems.append(f"{where}: no {probe}")
        check_env(where, c.get("env"))


def check_values(path, node, trail=""):
    if isinstance(node, dict):
        for k, v in node.items():
            t = f"{trail}.{k}" if trail else str(k)
            if isinstance(v, (dict, list)):
                check_values(path, v, t)
            # Names of Secrets (existingSecret, tlsSecret) are references and fine; values of secrets are not.
            elif v not in (None, "") and (str(k).lower() == "secret" or re.search(r"(password|token|apikey|api_key|apisecret|api_secret|credential)", str(k), re.I)):
                problems.append(f"{path}: {t} holds a value; secrets belong in the existing Secret, not in values")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            check_values(path, v, f"{trail}[{i}]")


docs = [d for d in yaml.safe_load_all(sys.stdin) if d]
if not docs:
    problems.append("no manifests on stdin")
kinds = {d.get("kind") for d in docs}
for d in docs:
    if d.get("kind") == "Secret":
        problems.append(f"Secret/{d.get('metadata', {}).get('name')} is rendered by the chart; secrets are referenced, never created from values")
    check_workload(d)
for required in ("Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Service"):
    if required not in kinds:
        problems.append(f"no {required} rendered")
for path in sys.argv[1:]:
    with open(path) as f:
        check_values(path, yaml.safe_load(f) or {})

for p in problems:
    print(f"check-manifests: {p}")
print(f"check-manifests: {len(docs)} manifests, {len(problems)} problems")
sys.exit(1 if problems else 0)
