# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
RUN DJANGO_SECRET_KEY=build NATIONAL_ID_HASH_KEY=build ANSWERS_ENCRYPTION_KEYS=build DJANGO_ALLOWED_HOSTS=* \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 CELERY_BROKER_URL=memory:// SMS_BACKEND=unused \
    python manage.py collectstatic --no-input -v 0 \
    && useradd --create-home --uid 10001 mekling && chown -R mekling /app/var
USER mekling
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
