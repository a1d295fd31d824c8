#!/bin/bash
# started by hand after reboots
sudo docker run -d \
  --name jellyfin \
  --restart=unless-stopped \
  -p 8096:8096 \
  -v /home/pi/jellyfin/config:/config \
  -v /mnt/usb/media:/media \
  jellyfin/jellyfin
