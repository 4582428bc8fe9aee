# Threshold Guide: a small non-root image that refuses to build with invalid content.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv

# Dependencies first, from pyproject.toml alone, so editing code or content reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY app/ app/
COPY rules/ rules/
COPY dialogues/ dialogues/
COPY schemas/ schemas/

# Invalid content fails the build here, with file:line messages, instead of failing at start-up.
# compileall: the app runs as a user who cannot write __pycache__, so without it every start compiles app/
# again (about 0.14 s of start-up, bench/RESULTS.md).
RUN python -m app.content check \
    && python -m compileall -q app \
    && mkdir -p var && chown 1001:1001 var

USER 1001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"

# --no-access-log: the app writes its own JSON line per request, without query strings.
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--no-access-log", "--timeout-graceful-shutdown", "20"]
