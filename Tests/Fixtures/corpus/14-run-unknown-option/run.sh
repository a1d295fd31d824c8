#!/bin/sh
podman run -d --name jellyfin --quadrature-mode high -v /srv/media:/media:ro \
  -p 127.0.0.1:8096:8096 docker.io/jellyfin/jellyfin
