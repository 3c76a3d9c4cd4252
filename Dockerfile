# Production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The locked versions, hashes checked, then the app itself (README, Dependencies).
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install -r requirements.lock && pip install --no-deps .
COPY . .
# Build-time steps need settings to load; the real secret comes from the environment at run time.
RUN DEBUG=false SECRET_KEY=build-only python manage.py compilemessages --ignore=.venv \
    && DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --noinput -v0

RUN useradd --system --home /app salescycle && mkdir -p /app/var && chown -R salescycle /app/var
USER salescycle
EXPOSE 8000
CMD ["gunicorn", "salescycle.wsgi", "-c", "gunicorn.conf.py"]
