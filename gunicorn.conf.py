"""gunicorn settings. Each can be overridden on the command line or by GUNICORN_* env vars."""

import multiprocessing
import os

# Loopback by default. gunicorn must never face the internet: its sync workers wait for each
# client's whole request, so slow clients hold them all. nginx (deploy/nginx/) sits in front,
# buffers every request, and is the only thing clients reach.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Only the proxy's address may say a request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# nginx already limits header lines (8 KiB) and the whole header (32 KiB); gunicorn accepts
# whatever nginx passes, so that refusals are nginx's branded ones.
limit_request_fields = 32768
limit_request_field_size = 0
wsgi_app = "deflection_portal.wsgi:application"
