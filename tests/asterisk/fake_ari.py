#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A hostile "Asterisk" for test-ari-hostile: an HTTP server on loopback
# that answers ARI's paths like Asterisk would, but with what the ARI user
# name asks for (so one server serves every case):
#
#   deep       /ari/asterisk/info is JSON nested 100,000 deep
#   huge       /ari/asterisk/info is a 100 MB body (Content-Length says so)
#   chunked    /ari/asterisk/info is an endless chunked body
#   deepevent  a valid ARI; its events WebSocket sends an event nested
#              100,000 deep once the client's first ping arrives
#   hugeevent  likewise, an event of 100 MB in 64 KiB continuation frames
#   polite     a valid ARI that notes, in order, the unsubscriptions asked
#              of it and the end of its events WebSocket: GET /ari/fake/log
#              answers the list
#   mute       a valid ARI whose first events WebSocket never answers a
#              ping (Asterisk answers its HTTP side, its events connection
#              is dead); the next ones do
#   crowd      30,000 PJSIP endpoints (10000-39999, and a few that are no
#              phone numbers or come twice), each with a caller ID name of
#              305 bytes with control characters, and as many presence
#              mirrors ("dnd")
#
# Prints "ready PORT" once it listens; runs until killed.

import base64
import hashlib
import json
import socket
import socketserver
import struct
import sys
import threading
import urllib.parse

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
DEEP = 100_000
HUGE = 100 * 1000 * 1000
CHUNK = 64 * 1024

LOCK = threading.Lock()
LOG = {}            # user -> what happened, in order
CONNECTIONS = {}    # user -> events WebSockets opened


def note(user, what):
    with LOCK:
        LOG.setdefault(user, []).append(what)


def user_of(headers):
    value = headers.get("authorization", "")
    if not value.lower().startswith("basic "):
        return ""
    try:
        return base64.b64decode(value[6:]).decode().split(":", 1)[0]
    except ValueError:
        return ""


def frame(opcode, payload, fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def read_frame(rfile):
    head = rfile.read(2)
    if len(head) < 2:
        return None, None
    opcode = head[0] & 0x0F
    n = head[1] & 0x7F
    if n == 126:
        n = struct.unpack("!H", rfile.read(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", rfile.read(8))[0]
    mask = rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
    data = bytearray(rfile.read(n))
    for i in range(len(data)):
        data[i] ^= mask[i % 4]
    return opcode, bytes(data)


class Handler(socketserver.StreamRequestHandler):
    def send_json(self, body, status="200 OK"):
        self.wfile.write(b"HTTP/1.1 " + status.encode() + b"\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def handle(self):
        try:
            while self.one_request():
                pass
        except (BrokenPipeError, ConnectionResetError):
            pass

    def one_request(self):
        line = self.rfile.readline(8192)
        if not line:
            return False
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers = {}
        while True:
            h = self.rfile.readline(8192).decode("latin-1").strip()
            if not h:
                break
            name, _, value = h.partition(":")
            headers[name.strip().lower()] = value.strip()
        user = user_of(headers)
        path, _, query = target.partition("?")

        if path == "/ari/fake/log":
            with LOCK:
                self.send_json(json.dumps(LOG.get(user, [])).encode())
            return True

        if method == "DELETE" and path.startswith("/ari/applications/") and path.endswith("/subscription"):
            sources = urllib.parse.parse_qs(query).get("eventSource", [])
            note(user, "unsubscribe " + ",".join(sources))
            self.send_json(b'{"name":"attendant"}')
            return True

        if path == "/ari/asterisk/info":
            if user == "deep":
                self.send_json(b"[" * DEEP + b"]" * DEEP)
            elif user == "huge":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n" % HUGE)
                block = b"[" + b"0," * (CHUNK // 2 - 1) + b"0]"
                sent = 0
                while sent < HUGE:
                    self.wfile.write(block)
                    sent += len(block)
                return False
            elif user == "chunked":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Transfer-Encoding: chunked\r\n\r\n")
                block = b" " * CHUNK
                while True:
                    self.wfile.write(b"%x\r\n" % len(block) + block + b"\r\n")
            else:
                self.send_json(b'{"system":{"version":"22.0.0-fake"}}')
            return True

        if user == "crowd" and path == "/ari/endpoints/PJSIP":
            numbers = [str(n) for n in range(39999, 9999, -1)] + ["trunk", "10000", "+", ""]
            self.send_json(json.dumps([{"technology": "PJSIP", "resource": n, "state": "online",
                                        "channel_ids": []} for n in numbers]).encode())
            return True

        if user == "crowd" and path == "/ari/deviceStates":
            self.send_json(json.dumps([{"name": "Stasis:attendant-presence-%d" % n, "state": "INUSE"}
                                       for n in range(10000, 40000)]).encode())
            return True

        if user == "crowd" and path.startswith("/ari/asterisk/config/dynamic/res_pjsip/endpoint/"):
            number = path.rsplit("/", 1)[1]
            name = "A\x01B\nC" + "\u00c4" * 150
            self.send_json(json.dumps([{"attribute": "callerid", "value": '"%s" <%s>' % (name, number)}]).encode())
            return True

        # As Asterisk does: the client asks it until the first frame comes.
        if path == "/ari/asterisk/ping":
            self.send_json(b'{"asterisk_id":"fake","ping":"pong","timestamp":"2026-01-01T00:00:00.000+0000"}')
            return True

        if path.startswith("/ari/applications/"):
            self.send_json(b'{"name":"attendant"}')
            return True

        if path == "/ari/events" and "websocket" in headers.get("upgrade", "").lower():
            accept = base64.b64encode(hashlib.sha1(headers["sec-websocket-key"].encode() + GUID).digest())
            self.wfile.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                             b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            self.wfile.flush()
            self.events(user)
            return False

        self.send_json(b'{"message":"Not found"}', "404 Not Found")
        return True

    def events(self, user):
        sent = False
        with LOCK:
            CONNECTIONS[user] = CONNECTIONS.get(user, 0) + 1
            mute = user == "mute" and CONNECTIONS[user] == 1
        while True:
            opcode, data = read_frame(self.rfile)
            if opcode is None or opcode == 8:
                note(user, "closed" if opcode == 8 else "ended")
                return
            if opcode == 9 and mute:
                continue
            if opcode == 9:
                self.wfile.write(frame(10, data))
                if not sent:
                    sent = True
                    self.hostile_event(user)

    def hostile_event(self, user):
        if user == "deepevent":
            self.wfile.write(frame(1, b'{"type":"Deep","x":' + b"[" * DEEP + b"]" * DEEP + b"}"))
        elif user == "hugeevent":
            self.wfile.write(frame(1, b'{"type":"Huge","x":"' + b"a" * CHUNK, fin=False))
            for _ in range(HUGE // CHUNK):
                self.wfile.write(frame(0, b"a" * CHUNK, fin=False))
            self.wfile.write(frame(0, b'"}'))


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print("ready", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
