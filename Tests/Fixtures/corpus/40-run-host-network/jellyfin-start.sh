#!/usr/bin/env bash
exec docker run --rm --network host \
  --volume /srv/jf/config:/config \
  --volume /srv/media:/media:ro \
  jellyfin/jellyfin:latest
