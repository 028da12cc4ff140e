# syntax=docker/dockerfile:1
# One image for every process: web (the default command), worker (`python manage.py db_worker`)
# and one-off migrations (`python manage.py migrate --noinput`).
ARG PYTHON_IMAGE=python:3.12-slim-trixie
ARG NODE_IMAGE=node:20-trixie-slim

FROM ${PYTHON_IMAGE} AS build
# uv installs the locked dependencies into /app/.venv with the image's own interpreter.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.12 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# PDF.js for the admin's citation viewer, pinned by viewer/package-lock.json (viewer/build).
FROM ${NODE_IMAGE} AS pdfjs
WORKDIR /viewer
COPY viewer/package.json viewer/package-lock.json viewer/build ./
RUN ./build /pdfjs

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/app/.venv/bin:$PATH \
    RAG_DATA_DIR=/app/.data
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home \
       --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY . .
COPY --from=pdfjs /pdfjs /app/documents/static/documents/pdfjs
# Static files are collected with the production storage backend (manifest + compression) at
# build time. These values exist only for this one step: no secret is needed or baked in, and
# RAG_BUILD_STEP tells the settings not to fetch the production secrets.
RUN RAG_ENV=production \
    RAG_BUILD_STEP=collectstatic \
    SECRET_KEY=build-only-not-a-secret \
    DJANGO_SECRET_KEY=build-only-not-a-secret \
    DATABASE_URL=postgres://build@127.0.0.1:9/build \
    python manage.py collectstatic --noinput \
    && install --directory --owner app --group app /app/.data
USER 10001:10001
EXPOSE 8000
# The slim image has no curl; python's urllib is enough. urlopen raises on any non-2xx.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"]
# 1 vCPU / 2 GB: the work is I/O-bound (a question spends most of its time waiting for the LLM),
# so 2 processes x 16 threads: bench/query.py showed requests queueing for a free thread at 2 x 8
# with 16 concurrent clients (a worker can get more than its share of connections). keep-alive (75 s) outlives the ALB idle timeout (60 s) so the ALB never reuses a
# connection gunicorn has closed; API Gateway gives up at 29 s, the 60 s timeout only reaps
# stuck workers. max-requests recycles workers to bound slow memory growth.
CMD ["gunicorn", "ragplatform.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-class", "gthread", "--workers", "2", "--threads", "16", \
     "--timeout", "60", "--graceful-timeout", "30", "--keep-alive", "75", \
     "--max-requests", "1000", "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", "--no-control-socket", \
     "--forwarded-allow-ips", "*"]
