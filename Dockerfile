# Pacer as a service: a slim image, run as a non-root user, `pacer` as the entry point.
#   docker build -t pacer .
#   docker run --rm -e DATABASE_URL=postgresql://... -e TELEGRAM_TOKEN=... pacer
#   docker run --rm pacer db upgrade          # any `pacer` subcommand
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
RUN python -m venv /opt/pacer \
    && /opt/pacer/bin/pip install --no-cache-dir --upgrade pip \
    && /opt/pacer/bin/pip install --no-cache-dir .

FROM python:3.12-slim
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/pacer pacer
COPY --from=build /opt/pacer /opt/pacer
ENV PATH=/opt/pacer/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MPLCONFIGDIR=/tmp/matplotlib
USER pacer
WORKDIR /var/lib/pacer
# /healthz, /readyz and /metrics when PACER_HTTP_PORT=9100 (role http).
EXPOSE 9100
# Exec form: `pacer` is PID 1 and gets SIGTERM itself; it stops cleanly within seconds.
STOPSIGNAL SIGTERM
ENTRYPOINT ["pacer"]
