#!/bin/sh
docker run -d --name jellyfin --ipc host --pid=host \
  -v /srv/jf/config:/config -v /srv/media:/media:ro \
  -p 127.0.0.1:8096:8096 jellyfin/jellyfin:latest
