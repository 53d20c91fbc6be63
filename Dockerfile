# syntax=docker/dockerfile:1
# Image for the registry: gunicorn serving twinning.wsgi, static files via WhiteNoise.
# Build: docker build -t twinning .   Run: see docker-compose.yml (needs DATABASE_URL, SECRET_KEY).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PORT=8000

# Unprivileged user the server runs as; its home holds gunicorn's control socket.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when the pins change.
# They are the [project] dependencies of pyproject.toml, resolved against constraints.txt
# exactly as `pip install -c constraints.txt .` does. The project itself runs from /app
# (settings locate templates and static files relative to the source tree), so it is
# not installed into site-packages as a second copy.
COPY pyproject.toml constraints.txt ./
RUN python -m venv "$VIRTUAL_ENV" \
    && python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt -c constraints.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are collected into the image (WhiteNoise serves them with hashed names).
# The dummy key exists for this step only; DATABASE_URL is parsed but never connected to.
RUN SECRET_KEY=collectstatic-build-only-not-secret \
        python manage.py collectstatic --noinput \
    && python -m compileall -q twinning partnerships \
    && chmod 0755 docker/entrypoint.sh

USER app

EXPOSE 8000

# Healthy while gunicorn answers below 500. The Host header is the first ALLOWED_HOSTS
# entry, so the probe is not rejected (and logged) as a disallowed host.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import http.client, os, sys; hosts = [h.strip().lstrip('.') for h in os.environ.get('ALLOWED_HOSTS', '').split(',') if h.strip() not in ('', '*')]; c = http.client.HTTPConnection('127.0.0.1', int(os.environ.get('PORT', '8000')), timeout=4); c.request('GET', '/healthz', headers={'Host': (hosts or ['localhost'])[0]}); sys.exit(c.getresponse().status != 200)"]

CMD ["/app/docker/entrypoint.sh"]
