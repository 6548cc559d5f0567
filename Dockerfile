# The Airflow image with the project installed from its lock file (used by docker-compose.yml).
FROM apache/airflow:3.3.2-python3.11
USER airflow
COPY --chown=airflow:root pyproject.toml uv.lock README.md /opt/kinerja/
COPY --chown=airflow:root include /opt/kinerja/include
COPY --chown=airflow:root expectations /opt/kinerja/expectations
RUN pip install --no-cache-dir uv \
 && cd /opt/kinerja \
 && uv export --frozen --no-dev --no-hashes --no-emit-project -o /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && pip install --no-cache-dir --no-deps -e /opt/kinerja
ENV KINERJA_EXPECTATIONS_DIR=/opt/kinerja/expectations
