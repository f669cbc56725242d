FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY config config
COPY classifier classifier
COPY domain domain
COPY service service
COPY workers workers
COPY cli cli
RUN pip install -e ".[s3]" && useradd --system --uid 10001 --user-group --home /app moderation && mkdir -p /data \
    && chown moderation /data
USER moderation
ENV MODERATION_DATA_DIR=/data
EXPOSE 8000
CMD ["moderation", "web", "--host", "0.0.0.0", "--port", "8000"]
