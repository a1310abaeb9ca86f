FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.prod
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config config
COPY liveblog liveblog
COPY results results
COPY templates templates
COPY data data
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && SECRET_KEY=build-only STATIC_ROOT=/srv/static python manage.py collectstatic --noinput
EXPOSE 8000
# uvicorn measured several times faster than Daphne at WebSocket fan-out (BENCHMARKS.md).
CMD ["uvicorn", "--host", "0.0.0.0", "--port", "8000", "--ws", "websockets-sansio", \
     "--ws-max-size", "4096", "--proxy-headers", "--forwarded-allow-ips", "*", \
     "--no-access-log", "config.asgi:application"]
