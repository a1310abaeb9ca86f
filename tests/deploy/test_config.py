"""The compose file and the nginx template, checked without containers (issue 10)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from deploy.stack import NGINX, REPO, nginx_main_config, render_nginx

pytestmark = pytest.mark.deploy

COMPOSE = REPO / "docker-compose.yml"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_docker_compose_accepts_the_file():
    # Debian's docker-compose package; CI installs it (.ci/run). Without it the structure
    # is still checked by the tests below.
    if shutil.which("docker-compose") is None:
        assert compose()["services"]
        return
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"],
        env={**os.environ, "SECRET_KEY": "compose-config-check"},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", sorted(compose()["services"]))
def test_every_compose_service_has_a_healthcheck_or_runs_once(name):
    service = compose()["services"][name]
    if name == "migrate":
        assert service["restart"] == "on-failure"
        return

    assert service["healthcheck"]["test"]
    assert service["restart"] == "unless-stopped"


def test_compose_defaults_to_secure_cookies():
    assert compose()["x-app-env"]["SECURE_COOKIES"] == "${SECURE_COOKIES:-true}"


def test_the_app_trusts_forwarded_headers_only_from_nginx():
    nginx_address = compose()["services"]["nginx"]["networks"]["backend"]["ipv4_address"]

    assert compose()["x-app-env"]["FORWARDED_ALLOW_IPS"] == nginx_address


def test_static_files_come_from_the_image_not_a_volume():
    services = compose()["services"]
    mounts = [m for s in services.values() for m in s.get("volumes", [])]

    assert not [m for m in mounts if "/srv/static" in m]
    assert "COPY --from=app /srv/static /srv/static" in (REPO / "Dockerfile").read_text()


def nginx_accepts(tmp_path: Path, site: str) -> subprocess.CompletedProcess:
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx-temp").mkdir(exist_ok=True)
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_main_config(tmp_path, tmp_path / "site.conf", worker_connections=64))
    return subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True
    )


def test_the_tls_server_block_is_valid_and_redirects_http(tmp_path):
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    site = (
        render_nginx(
            ["web-1:8000", "web-2:8000"],
            {
                "TLS_CERTIFICATE": str(tmp_path / "cert.pem"),
                "TLS_CERTIFICATE_KEY": str(tmp_path / "key.pem"),
                "NGINX_HTTP_PORT": "8080",
                "NGINX_HTTPS_PORT": "8443",
                "NGINX_ACCESS_LOG": "off",
            },
        )
        .replace("web-1:8000", "127.0.0.1:9")
        .replace("web-2:8000", "127.0.0.1:10")
    )

    assert "listen 8443 ssl reuseport backlog=4096;" in site
    assert "listen 8080 reuseport backlog=4096;" in site
    assert "return 301 https://$host:8443$request_uri;" in site
    assert nginx_accepts(tmp_path, site).returncode == 0, nginx_accepts(tmp_path, site).stderr


def test_the_plain_http_mode_has_no_tls_directives(tmp_path):
    site = render_nginx(["127.0.0.1:9"], {"NGINX_HTTP_PORT": "8080", "NGINX_ACCESS_LOG": "off"})

    assert "ssl_certificate" not in site
    assert "return 301" not in site
    assert nginx_accepts(tmp_path, site).returncode == 0


def test_half_a_tls_configuration_is_refused():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        render_nginx(["127.0.0.1:9"], {"TLS_CERTIFICATE": "/only/the/cert.pem"})

    assert "TLS_CERTIFICATE_KEY" in failure.value.stderr


def test_each_worker_listens_on_its_own_socket_with_a_long_queue():
    """A reconnect storm spreads evenly over the workers (reuseport), and a burst of
    connections waits in the queue instead of being dropped (nginx's default is 511)."""
    site = render_nginx(["127.0.0.1:9"], {"NGINX_HTTP_PORT": "8080"})

    assert "listen 8080 reuseport backlog=4096;" in site


def test_a_busy_backend_is_no_failed_websocket_connect():
    """nginx waits for a WebSocket's backend connection longer than a reader waits for its
    handshake (live.js: 4 s): a reader gives up first, which nginx does not count as the
    backend failing. Plain HTTP keeps the short connect timeout."""
    site = render_nginx(["127.0.0.1:9"], {})
    ws = site.split("location /ws/ {", 1)[1].split("}", 1)[0]
    http = site.split("location / {", 1)[1].split("}", 1)[0]

    assert "proxy_connect_timeout 10s;" in ws
    assert "proxy_connect_timeout 3s;" in http


def test_every_upstream_is_skipped_for_a_while_after_a_failure():
    site = render_nginx(["web-1:8000", "web-2:8000", "web-3:8000"], {})

    assert site.count("max_fails=1 fail_timeout=10s;") == 3
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert "$proxy_add_x_forwarded_for" not in site
