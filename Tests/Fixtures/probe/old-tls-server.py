#!/usr/bin/env python3
"""An HTTPS server that still accepts TLS 1.1, for the probe lab: every GET gets a small JSON page.

Usage: old-tls-server.py CERT KEY PORT. Each connection is handled (handshake included) on its own
thread, so one client that stalls does not hold up the others.
"""
import http.server
import ssl
import sys

cert, key, port = sys.argv[1], sys.argv[2], int(sys.argv[3])


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"ProductName":"Jellyfin Server"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Strict-Transport-Security", "max-age=31536000")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments):
        pass


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.minimum_version = ssl.TLSVersion.TLSv1_1
context.set_ciphers("DEFAULT:@SECLEVEL=0")
context.load_cert_chain(cert, key)
server = http.server.ThreadingHTTPServer(("0.0.0.0", port), Page)
server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
server.serve_forever()
