# syntax=docker/dockerfile:1
# Build a static vigil and run it as an unprivileged user.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/vigil ./cmd/vigil

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/vigil --create-home vigil
COPY --from=build /out/vigil /usr/local/bin/vigil
# In a container /healthz and /metrics must listen beyond loopback, and
# the database lives in the volume. Tokens come from the environment.
RUN mkdir -p /etc/vigil && printf '%s\n' \
      'database: /var/lib/vigil/vigil.db' \
      'http: {listen: "0.0.0.0:8080"}' > /etc/vigil/config.yaml
USER vigil
WORKDIR /var/lib/vigil
VOLUME ["/var/lib/vigil"]
ENV VIGIL_TELEGRAM_TOKEN="" VIGIL_DISCORD_TOKEN=""
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/vigil"]
CMD ["serve", "--config", "/etc/vigil/config.yaml"]
