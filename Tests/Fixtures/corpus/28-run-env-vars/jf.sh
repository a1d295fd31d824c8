#!/bin/sh
MEDIA=/srv/media
docker run -d --name jellyfin -p 8096:8096 -v $MEDIA:/media -v /srv/jf:/config jellyfin/jellyfin
