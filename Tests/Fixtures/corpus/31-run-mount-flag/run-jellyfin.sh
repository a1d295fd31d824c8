#!/bin/sh
podman run -d --name jellyfin --userns=keep-id --net=pasta \
  --mount type=bind,src=/srv/media,dst=/media,readonly=true,relabel=private \
  --mount type=bind,source=/srv/jf/config,target=/config,relabel=private \
  -p 127.0.0.1:8096:8096 docker.io/jellyfin/jellyfin:latest
