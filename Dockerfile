# syntax=docker/dockerfile:1

# Build: DuckDB comes as a prebuilt static library inside the
# duckdb-go-bindings module and pg_query_go compiles libpg_query, so the
# build needs cgo and a C toolchain (the golang image has gcc).
FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=1 GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags='-s -w' -o /out/lakegate ./cmd/lakegate

# Run: the binary links DuckDB statically but still needs glibc, libstdc++
# and libgcc_s at run time, so the base is Debian slim rather than
# distroless/static or Alpine (musl).
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libstdc++6 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 lakegate \
    && useradd --system --uid 10001 --gid lakegate --home-dir /var/lib/lakegate --shell /usr/sbin/nologin lakegate \
    && install -d -o lakegate -g lakegate -m 0750 /var/lib/lakegate
COPY --from=build /out/lakegate /usr/local/bin/lakegate

# Optional DuckDB extensions, e.g. --build-arg DUCKDB_EXTENSIONS="httpfs iceberg",
# for hosts that can reach DuckDB's extension repository at build time:
# `lakegate install-extensions` downloads them into a read-only directory
# of the image, outside the data volume (the sandbox never installs or
# autoloads an extension at run time). Empty (the default) installs none.
ARG DUCKDB_EXTENSIONS=""
RUN if [ -n "$DUCKDB_EXTENSIONS" ]; then \
        HOME=/root /usr/local/bin/lakegate install-extensions -dir /usr/local/lib/lakegate/duckdb-extensions $DUCKDB_EXTENSIONS \
        && chmod -R a+rX /usr/local/lib/lakegate; \
    fi
USER lakegate:lakegate

# The demo lake is generated on first start into a subdirectory of the
# data directory: it is written beside its final place and renamed, so its
# parent must be writable by lakegate (and a volume mounted at
# /var/lib/lakegate cannot itself be renamed).
# Published ports reach the container from Docker's bridge gateway, not
# loopback, so the password-less demo user is also trusted from Docker's
# default bridge range. Override LAKEGATE_TRUST_NETWORK (or use real users
# once passwords land) before exposing the container beyond the host.
# The admin listener (/metrics, /healthz, /readyz) listens on every
# interface for the orchestrator's probes and the metrics scraper; the
# HEALTHCHECK asks it with the binary itself, since the image has no curl.
# LAKEGATE_SHUTDOWN_GRACE must stay below the orchestrator's stop timeout
# (10s for docker stop by default; Kubernetes: terminationGracePeriodSeconds).
ENV LAKEGATE_LISTEN=0.0.0.0:5433 \
    LAKEGATE_ADMIN_LISTEN=0.0.0.0:9433 \
    LAKEGATE_SHUTDOWN_GRACE=8s \
    LAKEGATE_TRUST_NETWORK=172.16.0.0/12 \
    LAKEGATE_DATA_DIR=/var/lib/lakegate/demo \
    XDG_CACHE_HOME=/var/lib/lakegate/cache \
    HOME=/var/lib/lakegate
VOLUME /var/lib/lakegate
WORKDIR /var/lib/lakegate
EXPOSE 5433 9433
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=2m --retries=3 \
    CMD ["/usr/local/bin/lakegate", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/lakegate"]
