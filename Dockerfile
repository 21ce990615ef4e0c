# realtime-tokens: a non-root image with a /healthz health check.
#   docker build -t realtime-tokens .
#   docker run -p 8000:8000 -e MONGODB_URI=... -e LIVEKIT_URL=... \
#     -e LIVEKIT_API_KEY=... -e LIVEKIT_API_SECRET=... realtime-tokens
# Without MONGODB_URI the server refuses to start; a throwaway trial on the embedded
# database asks for it: -e REALTIME_TOKENS_EMBEDDED_MONGODB=1.
# See docs/operations.md.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN pip install "uv==0.13.9" && uv venv /opt/venv
WORKDIR /src
COPY pyproject.toml requirements.lock README.md ./
COPY domain domain
COPY application application
COPY adapters adapters
COPY entrypoints entrypoints
# The runtime dependencies only, at the versions requirements.lock pins (it lists dev tools too).
RUN uv pip install --python /opt/venv/bin/python --no-cache --constraint requirements.lock .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 --user-group app
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    REALTIME_TOKENS_HOME=/home/app/.realtime-tokens
USER app
WORKDIR /home/app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["realtime-tokens", "serve", "--host", "0.0.0.0", "--port", "8000"]
