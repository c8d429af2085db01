# ngshare in its own environment, with the pins that make it store anything (UNTESTED as an image; the same
# pins were shown working on a single host).
FROM python:3.11-slim
RUN pip install --no-cache-dir "ngshare==0.6.0" "SQLAlchemy<2" "alembic<1.14"
COPY ngshare_bind.py /opt/ngshare/ngshare_bind.py
USER 65534:65534
WORKDIR /srv/ngshare
