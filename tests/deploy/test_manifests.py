"""The deployment files: Kubernetes manifests valid for the API, YAML clean, and compose, Kubernetes, the
Dockerfile and deploy/nginx.conf agreeing on what the loopback test runs (probe, port, affinity cookie,
timeouts, security headers, cookie secret), and the image's lock satisfying requirements.txt."""

from __future__ import annotations

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from packaging.utils import canonicalize_name
from yamllint import linter
from yamllint.config import YamlLintConfig

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = sorted((DEPLOY / "k8s").glob("*.yaml"))
NGINX = (DEPLOY / "nginx.conf").read_text()
DOCKERFILE = (DEPLOY / "Dockerfile").read_text()
HEALTH = "/_stcore/health"
SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"


def load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / "k8s" / name).read_text())


@pytest.mark.parametrize("path", K8S, ids=lambda p: p.name)
def test_manifest_is_valid_for_kubernetes(path):
    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


@pytest.mark.parametrize("path", [*K8S, DEPLOY / "compose.yaml"], ids=lambda p: p.name)
def test_yaml_passes_yamllint(path):
    config = YamlLintConfig(file=str(DEPLOY / ".yamllint.yaml"))
    problems = [f"{p.line}:{p.column} {p.message}" for p in linter.run(path.read_text(), config)]
    assert problems == []


def test_every_probe_is_streamlits_health_route():
    container = load("deployment.yaml")["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["path"] == HEALTH
        assert container[probe]["httpGet"]["port"] == "http"
    assert container["ports"][0]["containerPort"] == 8501
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert f"127.0.0.1:8501{HEALTH}" in " ".join(compose["services"]["app"]["healthcheck"]["test"])
    assert f"127.0.0.1:8080{HEALTH}" in " ".join(compose["services"]["nginx"]["healthcheck"]["test"])
    assert re.search(rf"HEALTHCHECK .*\n.*127\.0\.0\.1:8501{HEALTH}", DOCKERFILE)
    assert f"location = {HEALTH}" in NGINX
    assert "server app:8501" in NGINX and "listen 8080;" in NGINX


def test_affinity_and_timeouts_agree_between_nginx_and_the_ingress():
    notes = load("ingress.yaml")["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert notes[prefix + "affinity"] == "cookie"
    assert notes[prefix + "session-cookie-name"] == "losslab_route"
    assert "map $cookie_losslab_route $losslab_route" in NGINX and "hash $losslab_route consistent;" in NGINX
    stream = NGINX[NGINX.index("location /_stcore/stream"):]
    stream = stream[:stream.index("}")]
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    timeout = re.search(r"proxy_read_timeout (\d+)s;", stream).group(1)
    assert notes[prefix + "proxy-read-timeout"] == timeout
    assert notes[prefix + "proxy-send-timeout"] == re.search(r"proxy_send_timeout (\d+)s;", stream).group(1)
    assert int(timeout) >= 3600  # a class sits idle for long stretches


def test_the_ingress_sends_the_headers_nginx_adds():
    headers = load("headers.yaml")["data"]
    ancestors = re.search(r'map "" \$losslab_frame_ancestors \{\s*default "([^"]+)";', NGINX).group(1)
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"):
        value = re.search(rf'add_header {name} "([^"]+)" always;', NGINX).group(1)
        assert headers[name] == value.replace("$losslab_frame_ancestors", ancestors), name
    assert "X-Frame-Options" not in NGINX  # frame-ancestors decides, so the embed use keeps working
    assert load("ingress.yaml")["metadata"]["annotations"]["nginx.ingress.kubernetes.io/custom-headers"] \
        .endswith("/losslab-headers")


def test_every_replica_gets_the_cookie_secret_from_outside():
    env = load("deployment.yaml")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": SECRET_ENV, "valueFrom": {"secretKeyRef": {"name": "losslab", "key": "cookie-secret"}}} in env
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert compose["services"]["app"]["environment"][SECRET_ENV].startswith("${LOSSLAB_COOKIE_SECRET:?")
    assert "cookieSecret" not in (ROOT / ".streamlit" / "config.toml").read_text()  # never in the image
    assert SECRET_ENV not in re.sub(r"#.*", "", DOCKERFILE)  # not baked into the image either


def test_the_dockerfile_follows_the_review_rules():
    """hadolint is not available here: the rules the review applied by hand."""
    code = re.sub(r"(?m)^\s*#.*\n", "", DOCKERFILE)
    assert re.search(r"(?m)^FROM python:3\.11(\.\d+)?-slim", code)
    assert "\nUSER losslab\n" in code and "useradd --system --uid 10001" in code
    assert "ADD " not in code and ":latest" not in code and "sudo" not in code
    assert "-r requirements.lock" in code and "--no-cache-dir" in code
    assert code.index("COPY deploy/requirements.lock") < code.index("COPY . .")  # dependencies cached apart
    assert code.index("COPY . .") < code.index("USER losslab")  # the code stays root's, read-only to the app
    ignore = [line for line in (DEPLOY / "Dockerfile.dockerignore").read_text().split("\n")
              if line and not line.startswith("#")]
    assert ignore[0] == "*" and "!.streamlit/config.toml" in ignore  # an allow-list: no secrets or .git slip in
    assert "CMD [" in code and "app.py" in code


def test_the_image_lock_pins_what_requirements_txt_allows():
    from deploy.lock import roots

    pins = {}
    for line in (DEPLOY / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    for req in roots():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in deploy/requirements.lock"
        assert req.specifier.contains(pins[name].split("+")[0], prereleases=True), f"{req} vs {pins[name]}"
