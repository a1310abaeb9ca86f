# Two images from one build: the application (target "app") and nginx with the same build's
# static files (target "nginx"), so a rebuild never serves a stale staticfiles.json.
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.prod \
    STATIC_ROOT=/srv/static MEDIA_ROOT=/srv/media
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY config config
COPY liveblog liveblog
COPY results results
COPY templates templates
COPY data data
COPY deploy deploy
COPY manage.py ./
RUN pip install --no-cache-dir --constraint constraints.txt . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app liveblog \
    && mkdir -p /srv/media && chown liveblog /srv/media
# Not root: the process can write uploads (/srv/media) and nothing else.
USER liveblog
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# The production server command lives in one place (also run by tests/deploy).
CMD ["/app/deploy/serve.sh"]

FROM nginx:1.27 AS nginx
# curl for the compose healthcheck.
RUN command -v curl >/dev/null || { apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*; }
# The image's nginx.conf allows 1024 connections per worker, and a reader holds two (browser
# and backend): about 500 readers a worker, far from the 10,000 one process holds. 16,384 is
# 8,000 readers a worker (the benchmarks' nginx, deploy.stack, gets 2 x readers + 1,024),
# with the file limit to match; the grep fails the build if the image's file has changed.
RUN sed -i -e 's/^\([[:space:]]*worker_connections\)[[:space:]].*;/\1 16384;/' \
        -e 's/^worker_processes[[:space:]].*;/&\nworker_rlimit_nofile 33000;/' /etc/nginx/nginx.conf \
    && grep -q 'worker_connections 16384;' /etc/nginx/nginx.conf \
    && grep -q '^worker_rlimit_nofile 33000;' /etc/nginx/nginx.conf
COPY deploy/nginx /etc/liveblog-nginx
COPY --from=app /srv/static /srv/static
# The site configuration is rendered at start from the environment (render.sh).
CMD ["/bin/sh", "-c", "/bin/sh /etc/liveblog-nginx/render.sh > /etc/nginx/conf.d/default.conf && exec nginx -g 'daemon off;'"]
