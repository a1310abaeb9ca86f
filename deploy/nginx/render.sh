#!/bin/sh
# Writes the nginx site configuration to stdout from liveblog.conf.template.
# docker-compose.yml runs it when the nginx container starts; tests/deploy and bench/ run it
# with loopback addresses. Settings (environment):
#   NGINX_UPSTREAMS         application servers, comma-separated host:port (required)
#   NGINX_HTTP_PORT         80;  NGINX_HTTPS_PORT  443
#   TLS_CERTIFICATE, TLS_CERTIFICATE_KEY
#                           file paths; both set = TLS on 443, port 80 redirects there
#   NGINX_TRUSTED_PROXIES   comma-separated addresses/networks of a front proxy whose
#                           X-Forwarded-For and X-Forwarded-Proto are believed (none)
#   NGINX_STATIC_ROOT       /srv/static;  NGINX_MEDIA_ROOT  /srv/media
#   NGINX_ACCESS_LOG        /var/log/nginx/access.log (or "off")
#   NGINX_CONNECT_TIMEOUT   3s;  NGINX_READ_TIMEOUT  15s (HTTP);  NGINX_WS_READ_TIMEOUT  75s
#   NGINX_WS_CONNECT_TIMEOUT  10s (longer than a reader's handshake timeout: the template says why)
#   NGINX_MAX_FAILS         1;   NGINX_FAIL_TIMEOUT  10s (how long a failed server is skipped)
set -eu
here=$(dirname "$0")

: "${NGINX_UPSTREAMS:?set NGINX_UPSTREAMS, e.g. web-1:8000,web-2:8000}"
export NGINX_HTTP_PORT="${NGINX_HTTP_PORT:-80}"
export NGINX_HTTPS_PORT="${NGINX_HTTPS_PORT:-443}"
export TLS_CERTIFICATE="${TLS_CERTIFICATE:-}"
export TLS_CERTIFICATE_KEY="${TLS_CERTIFICATE_KEY:-}"
export NGINX_STATIC_ROOT="${NGINX_STATIC_ROOT:-/srv/static}"
export NGINX_MEDIA_ROOT="${NGINX_MEDIA_ROOT:-/srv/media}"
export NGINX_ACCESS_LOG="${NGINX_ACCESS_LOG:-/var/log/nginx/access.log}"
export NGINX_CONNECT_TIMEOUT="${NGINX_CONNECT_TIMEOUT:-3s}"
export NGINX_READ_TIMEOUT="${NGINX_READ_TIMEOUT:-15s}"
export NGINX_WS_READ_TIMEOUT="${NGINX_WS_READ_TIMEOUT:-75s}"
export NGINX_WS_CONNECT_TIMEOUT="${NGINX_WS_CONNECT_TIMEOUT:-10s}"
max_fails="${NGINX_MAX_FAILS:-1}"
fail_timeout="${NGINX_FAIL_TIMEOUT:-10s}"

lines() {  # lines "<format with %s>" "a,b,c": one formatted line per list item
    printf '%s\n' "$2" | tr ',' '\n' | while read -r item; do
        if [ -n "$item" ]; then printf "$1\n" "$item"; fi
    done
}

LIVEBLOG_UPSTREAM_SERVERS=$(lines "    server %s max_fails=$max_fails fail_timeout=$fail_timeout;" "$NGINX_UPSTREAMS")
LIVEBLOG_TRUSTED_PROXY_GEO=$(lines "    %s 1;" "${NGINX_TRUSTED_PROXIES:-}")
LIVEBLOG_REAL_IP_FROM=$(lines "    set_real_ip_from %s;" "${NGINX_TRUSTED_PROXIES:-}")
export LIVEBLOG_UPSTREAM_SERVERS LIVEBLOG_TRUSTED_PROXY_GEO LIVEBLOG_REAL_IP_FROM

if [ -n "$TLS_CERTIFICATE" ] && [ -n "$TLS_CERTIFICATE_KEY" ]; then
    keep="tls"; drop="plain"
elif [ -n "$TLS_CERTIFICATE$TLS_CERTIFICATE_KEY" ]; then
    echo "render.sh: set both TLS_CERTIFICATE and TLS_CERTIFICATE_KEY, or neither" >&2
    exit 1
else
    keep="plain"; drop="tls"
fi
if [ "$NGINX_HTTPS_PORT" = 443 ]; then
    LIVEBLOG_HTTPS_PORT_SUFFIX=""
else
    LIVEBLOG_HTTPS_PORT_SUFFIX=":$NGINX_HTTPS_PORT"
fi
export LIVEBLOG_HTTPS_PORT_SUFFIX
if [ "$NGINX_ACCESS_LOG" = off ]; then
    LIVEBLOG_ACCESS_LOG="access_log off;"
else
    LIVEBLOG_ACCESS_LOG="access_log $NGINX_ACCESS_LOG liveblog;"
fi
export LIVEBLOG_ACCESS_LOG

# Only our names are substituted: nginx's own $variables pass through untouched.
names='${LIVEBLOG_UPSTREAM_SERVERS} ${LIVEBLOG_TRUSTED_PROXY_GEO} ${LIVEBLOG_REAL_IP_FROM}
${LIVEBLOG_HTTPS_PORT_SUFFIX} ${LIVEBLOG_ACCESS_LOG} ${NGINX_HTTP_PORT} ${NGINX_HTTPS_PORT} ${TLS_CERTIFICATE}
${TLS_CERTIFICATE_KEY} ${NGINX_STATIC_ROOT} ${NGINX_MEDIA_ROOT}
${NGINX_CONNECT_TIMEOUT} ${NGINX_READ_TIMEOUT} ${NGINX_WS_READ_TIMEOUT} ${NGINX_WS_CONNECT_TIMEOUT}'
sed -e "/^#$drop /d" -e "s/^#$keep //" "$here/liveblog.conf.template" | envsubst "$names"
