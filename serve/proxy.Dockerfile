# compose.yaml's proxy: HAProxy from Debian's packages, the same one `make serve` installs.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends haproxy && rm -rf /var/lib/apt/lists/*
USER haproxy
# the configuration is mounted at /etc/haproxy/haproxy.cfg (compose.yaml)
CMD ["haproxy", "-W", "-db", "-f", "/etc/haproxy/haproxy.cfg"]
