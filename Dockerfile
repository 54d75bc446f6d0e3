# Production-like image: gunicorn serving Django, static files by WhiteNoise.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static/scss ./static/scss
RUN npm run build && npm prune --omit=dev

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml constraints.txt ./
RUN python -m pip install --no-cache-dir pip==26.3 \
 && python -m pip install --no-cache-dir --constraint constraints.txt --group runtime
COPY --from=assets /app/node_modules ./node_modules
COPY --from=assets /app/var/assets ./var/assets
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input \
 && useradd --system --home /app servicelead \
 && chown -R servicelead /app/var
USER servicelead
EXPOSE 8000
CMD ["gunicorn", "servicelead.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
