# syntax=docker/dockerfile:1
# Build stage: the locked dependencies and the bot, installed into a virtual environment.
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir "uv==0.13.9"
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN uv sync --frozen --no-dev --no-editable

# Run stage: a slim image, a non-root user, the database on the /data volume.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 breathing \
    && mkdir /data && chown breathing:breathing /data
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY content ./content
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    DATABASE_PATH=/data/breathing_room.sqlite3 \
    CONTENT_DIR=/app/content \
    LOG_FORMAT=json
USER breathing
VOLUME ["/data"]
# Healthy while the database answers and the bot made progress within HEALTH_MAX_IDLE seconds.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot", "healthcheck"]
CMD ["python", "-m", "bot"]
