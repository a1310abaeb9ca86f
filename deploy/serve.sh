#!/bin/sh
# The production server: the image's CMD, and what tests/deploy and the benchmarks start.
# One process per container; scale by running more (docker-compose.yml, README "Deploy").
#   APP_HOST, APP_PORT       where to listen (0.0.0.0:8000)
#   FORWARDED_ALLOW_IPS      the address (or network) of nginx, the only peer whose
#                            X-Forwarded-For / X-Forwarded-Proto are believed
# --backlog: when a process dies, its readers reconnect to the others within a second or two
# (live.js's backoff), faster than one event loop accepts them; past the queue the kernel
# drops connection attempts, and each waits for TCP to resend it (1, 3, 7 s). uvicorn's
# default is 2048; the kernel caps it at net.core.somaxconn (4096 by default since 5.4).
# No permessage-deflate: browsers offer it, and each reader would then hold zlib streams of
# its own (tens of KB) and cost a compression per send; the page fragments are small.
set -eu
exec uvicorn \
    --host "${APP_HOST:-0.0.0.0}" \
    --port "${APP_PORT:-8000}" \
    --backlog 4096 \
    --ws websockets-sansio \
    --ws-max-size 4096 \
    --ws-per-message-deflate false \
    --proxy-headers \
    --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:?set FORWARDED_ALLOW_IPS to the address of nginx}" \
    --timeout-keep-alive 5 \
    --timeout-graceful-shutdown 10 \
    --no-access-log \
    config.asgi:application
