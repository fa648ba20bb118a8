#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in Attendant server for the network lab.

Listens on one or more ADDRESS:PORT pairs, plain TCP or direct TLS (TLS 1.2
or newer; --max-tls=1.1 makes an outdated TLS 1.0/1.1-only server), accepts every connection, completes the TLS handshake when TLS,
and keeps the connection open until the client leaves or --hold seconds have
passed. There is no protocol greeting yet: at this stage an endpoint counts as
reached after TCP (+TLS).

Once every socket listens, it prints "READY" on stdout, so that whoever
started it can wait for that line instead of sleeping. With --log FILE it
appends one JSON object per line for every connection it sees: "accepted",
"sni" (the server name the client sent, during the handshake), "handshake"
(the negotiated version) or "tls-error".

Stops cleanly on SIGTERM or SIGINT.
"""

import argparse
import json
import selectors
import signal
import socket
import ssl
import sys
import threading
import warnings


class Listener:
    def __init__(self, endpoints, context, hold, log_path):
        self.endpoints = endpoints
        self.context = context
        self.hold = hold
        self.log_lock = threading.Lock()
        self.log_file = open(log_path, "a", buffering=1) if log_path else None
        self.selector = selectors.DefaultSelector()
        self.stopping = threading.Event()
        self.wake_r, self.wake_w = socket.socketpair()
        if context is not None:
            context.sni_callback = self.sni_callback

    def sni_callback(self, ssl_sock, server_name, ctx):
        # Called during the handshake, before the server's first flight, so
        # the entry is written before the client can consider itself done.
        try:
            local = "%s:%d" % ssl_sock.getsockname()[:2]
            peer = "%s:%d" % ssl_sock.getpeername()[:2]
        except OSError:
            local = peer = None
        self.log(event="sni", local=local, peer=peer, sni=server_name)
        return None

    def log(self, **entry):
        if self.log_file is None:
            return
        with self.log_lock:
            self.log_file.write(json.dumps(entry, sort_keys=True) + "\n")
            self.log_file.flush()

    def listen(self):
        for address, port in self.endpoints:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
            sock.listen(128)
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ, f"{address}:{port}")
        self.selector.register(self.wake_r, selectors.EVENT_READ, None)

    def stop(self):
        self.stopping.set()
        try:
            self.wake_w.send(b"x")
        except OSError:
            pass

    def serve_connection(self, conn, local, peer):
        conn.setblocking(True)
        conn.settimeout(self.hold)
        try:
            if self.context is not None:
                try:
                    conn = self.context.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    self.log(event="tls-error", local=local, peer=peer, error=str(e))
                    return
                self.log(event="handshake", local=local, peer=peer, version=conn.version())
            # Keep the connection open until the client leaves or the hold
            # time is up; anything it sends is read and ignored.
            while not self.stopping.is_set():
                try:
                    if not conn.recv(4096):
                        break
                except (socket.timeout, ssl.SSLError, OSError):
                    break
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def run(self):
        while not self.stopping.is_set():
            for key, _ in self.selector.select():
                if key.data is None:
                    continue
                try:
                    conn, peer = key.fileobj.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                local = key.data
                peer_text = f"{peer[0]}:{peer[1]}"
                self.log(event="accepted", local=local, peer=peer_text)
                threading.Thread(target=self.serve_connection,
                                 args=(conn, local, peer_text), daemon=True).start()


def parse_endpoint(text):
    address, sep, port = text.rpartition(":")
    if not sep or not address:
        raise argparse.ArgumentTypeError(f"{text!r} is not ADDRESS:PORT")
    return address, int(port)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"),
                        help="serve direct TLS with this certificate chain and key")
    parser.add_argument("--max-tls", choices=["1.1", "1.2", "1.3"], default="1.3",
                        help="the newest TLS version offered (default 1.3); 1.1 makes "
                             "a server that offers only TLS 1.0 and 1.1")
    parser.add_argument("--hold", type=float, default=10.0,
                        help="seconds to keep an idle connection open (default 10)")
    parser.add_argument("--log", metavar="FILE", help="append one JSON line per event")
    parser.add_argument("endpoints", nargs="+", type=parse_endpoint, metavar="ADDRESS:PORT")
    args = parser.parse_args()

    context = None
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if args.max_tls == "1.1":
            # An outdated server, to check that clients refuse it (TLS 1.2 at least).
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = ssl.TLSVersion.TLSv1
                context.maximum_version = ssl.TLSVersion.TLSv1_1
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        else:
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.maximum_version = (ssl.TLSVersion.TLSv1_2 if args.max_tls == "1.2"
                                       else ssl.TLSVersion.TLSv1_3)
        context.load_cert_chain(args.tls[0], args.tls[1])

    listener = Listener(args.endpoints, context, args.hold, args.log)
    signal.signal(signal.SIGTERM, lambda *_: listener.stop())
    signal.signal(signal.SIGINT, lambda *_: listener.stop())
    listener.listen()
    print("READY", flush=True)
    listener.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
