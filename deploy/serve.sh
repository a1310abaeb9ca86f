#!/bin/sh
# The production server: the image's CMD, and what tests/deploy and the benchmarks start.
# One process per container; scale by running more (docker-compose.yml, README "Deploy").
#   APP_HOST, APP_PORT       where to listen (0.0.0.0:8000)
#   FORWARDED_ALLOW_IPS      the address (or network) of nginx, the only peer whose
#                            X-Forwarded-For / X-Forwarded-Proto are believed
set -eu
exec uvicorn \
    --host "${APP_HOST:-0.0.0.0}" \
    --port "${APP_PORT:-8000}" \
    --ws websockets-sansio \
    --ws-max-size 4096 \
    --proxy-headers \
    --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:?set FORWARDED_ALLOW_IPS to the address of nginx}" \
    --timeout-keep-alive 5 \
    --timeout-graceful-shutdown 10 \
    --no-access-log \
    config.asgi:application
