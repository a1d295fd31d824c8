#!/bin/sh
set -eu
podman run --detach --replace --name jellyfin \
  --userns keep-id --network pasta \
  --publish 127.0.0.1:8096:8096 \
  --volume "$HOME/.config/jellyfin":/config:Z \
  --volume /srv/media:/media:ro,Z \
  --label io.containers.autoupdate=registry \
  --security-opt no-new-privileges --cap-drop all \
  docker.io/jellyfin/jellyfin:latest
