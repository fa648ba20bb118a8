#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes the seed corpora of fuzz/corpus/ from the examples of
# docs/protocol.md, SPEC §1 and the tests. Run it after changing an input
# format; the files it writes are checked in (crash regressions found by
# the fuzzers sit beside them, named regression-*).
import base64
import json
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(here, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def frames(*messages):
    return b'\0'.join(m.encode() if isinstance(m, str) else json.dumps(m).encode()
                      for m in messages)


# SPEC §1 D1 and tests/unit/test-server-spec.c.
for i, text in enumerate([
        'acme.com', 'ACME.com.', 'acme.com:51235', '192.0.2.10', '192.0.2.10:51234',
        '[2001:db8::1]:51235', '2001:db8::1', 'bücher.example', 'xn--bcher-kva.example',
        'http://acme.com', 'user@acme.com', 'acme..com', '-acme.com', 'acme.com:65536',
        '[::1]x', 'acme com', 'a' * 63 + '.example']):
    write('server-spec', 'seed-%02d' % i, text)


# Desktop CTI links (SPEC §6) and tests/unit/test-dial-uri.c.
for i, text in enumerate([
        'tel:+390123456', 'TEL:+39-0123-456;phone-context=example.com', 'tel:+1-201-555-0123;ext=12',
        'tel:*21%23', 'callto://+39%20012%203456', 'callto:echo123', 'sip:201@pbx.example',
        'sips:+390123456@gw.example;user=phone', 'sip:201:secret@pbx.example:5060',
        'sip:alice@example.com', 'sip:pbx.example', '+44 (0)20 7946 0958',
        '+39\u00a0012\u20133456', 'mailto:201@example.com', 'tel:%zz', 'tel:201%00', '1' * 33]):
    write('dial-uri', 'seed-%02d' % i, text)

# Plan: flags, then (priority, weight, port, length, target) records.
def srv(flags, *records):
    out = bytes([flags])
    for prio, weight, port, target in records:
        t = target.encode()
        out += struct.pack('>HHHB', prio, weight, port, len(t)) + t
    return out


write('plan', 'seed-seed-article', srv(0,
    (10, 60, 51235, 'dc1.acme.com.'), (10, 40, 51235, 'dc2.acme.com.'),
    (20, 0, 51235, 'backup.acme.com.')))
write('plan', 'seed-rfc2782', srv(2,
    (10, 60, 51234, 'dc1.acme.com'), (20, 0, 51234, 'dc2.acme.com')))
write('plan', 'seed-root-target', srv(0, (0, 0, 0, '')))
write('plan', 'seed-port-zero-and-duplicates', srv(1,
    (10, 5, 0, 'dc1.acme.com'), (10, 5, 51234, 'DC1.acme.com.'), (10, 5, 51234, 'dc1.acme.com')))
write('plan', 'seed-literal-and-idn', srv(4,
    (1, 1, 51235, '192.0.2.10'), (1, 1, 51235, 'xn--bcher-kva.example'), (1, 0, 1, '..')))
write('plan', 'seed-no-answer', bytes([4]))

# SCRAM (RFC 5802 §5 / RFC 7677 §3 shapes). Byte 0: bit 0 server side,
# bit 1 raw base64.
write('scram', 'seed-client-side', b'\0' + b'\0'.join([
    b'r=@NONCE@3rfcNHYJY1ZVvWVs7j,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    b'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=']))
write('scram', 'seed-client-side-error', b'\0' + b'r=@NONCE@x,s=c2FsdA==,i=1\0e=invalid-proof')
write('scram', 'seed-client-side-raw', b'\2' + base64.b64encode(b'r=@NONCE@x,s=c2FsdA==,i=1'))
write('scram', 'seed-server-side', b'\1' + b'\0'.join([
    b'n,,n=reception,r=rOprNGfwEbeRWgbNEkqO',
    b'c=biws,r=@NONCE@,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=']))
write('scram', 'seed-server-side-unknown-user', b'\1' + b'n,,n=mallory,r=abc')
write('scram', 'seed-server-side-authzid', b'\1' + b'n,a=admin,n=reception,r=abc\0c=bixhPWFkbWluLA==,r=@NONCE@,p=AAAA')

hello = {"type": "hello", "protocol": 1, "server": "attendant-server 0.1.0", "cluster": "acme",
         "node": "dc1", "nodes": [
             {"node": "dc1", "host": "127.0.0.1", "port": 47001, "transport": "plain"},
             {"node": "dc2", "host": "172.18.20.11", "port": 51235, "transport": "tls"}],
         "mechanisms": ["SCRAM-SHA-256"], "heartbeat_s": 5}
snapshot = {"type": "snapshot", "seq": 1042, "me": {"user": "reception", "extension": "200"},
            "directory": [{"id": "ext-201", "name": "Bruno Bianchi", "number": "201",
                           "department": "Sales", "presence": "available"}],
            "queues": [{"id": "main", "name": "Reception"}],
            "calls": [{"id": "call-77", "state": "queued", "queue": "main",
                       "caller_number": "+390212345678", "caller_name": "ACME Spa",
                       "since": "2026-11-25T09:14:03.120Z", "attendant": None,
                       "peer": None, "recalled": False}]}
ok = '{"type": "auth.ok", "data": "@SCRAM@", "user": "reception", "display_name": "Reception Desk", "extension": "200", "session": "s-1"}'
challenge = '{"type": "auth.challenge", "data": "@SCRAM@"}'

# Server → client.
write('protocol-client', 'seed-login', frames(hello, challenge, ok, snapshot,
    {"type": "event", "seq": 1043, "event": "call.removed", "id": "call-77"},
    {"type": "reply", "id": "c-1", "ok": True, "result": {}},
    {"type": "ping", "id": 7}, {"type": "drain", "reason": "maintenance", "text": "Node dc1 is shutting down"}))
write('protocol-client', 'seed-reply-error', frames(hello, challenge, ok,
    {"type": "reply", "id": "c-1", "ok": False, "error": {"code": "not-found", "text": "No call call-99"}}))
write('protocol-client', 'seed-auth-failed', frames(hello,
    {"type": "auth.failed", "reason": "invalid-credentials", "text": "Wrong user name or password"}))
write('protocol-client', 'seed-sequence-gap', frames(hello, snapshot,
    {"type": "event", "seq": 1045, "event": "presence", "id": "ext-201", "presence": "busy"}))
# A snapshot in parts (docs/protocol.md §2.3), then the protocol errors
# around it: a part without a beginning, an event between the parts.
first_part = dict(snapshot, more=True)
more_part = {"type": "snapshot.more", "more": False,
             "directory": [{"id": "ext-202", "name": "Carla Verdi", "number": "202",
                            "department": None, "presence": "away"}]}
write('protocol-client', 'seed-snapshot-parts', frames(hello, challenge, ok, first_part,
    dict(more_part, more=True), more_part,
    {"type": "event", "seq": 1043, "event": "presence", "id": "ext-202", "presence": "busy"}))
write('protocol-client', 'seed-snapshot-more-alone', frames(hello, challenge, ok, more_part))
write('protocol-client', 'seed-snapshot-event-between', frames(hello, challenge, ok, first_part,
    {"type": "event", "seq": 1043, "event": "call.removed", "id": "call-77"}, more_part))
write('protocol-client', 'seed-old-protocol', frames(dict(hello, protocol=0)))
write('protocol-client', 'seed-not-hello', frames({"type": "pong", "id": 1}))

# Client → server.
start = '{"type": "auth.start", "mechanism": "SCRAM-SHA-256", "data": "@SCRAM@"}'
finish = '{"type": "auth.finish", "data": "@SCRAM@"}'
def command(i, name, **args):
    return {"type": "command", "id": "c-%d" % i, "command": name, "args": args}
write('protocol-server', 'seed-login-and-calls', frames(start, finish,
    command(1, "call.answer", call="call-1"), command(2, "call.hold", call="call-1"),
    command(3, "call.resume", call="call-1"), command(4, "call.transfer", call="call-1", target="201"),
    command(5, "call.answer", call="call-2"), command(6, "call.consult", call="call-2", target="202"),
    command(7, "call.complete", call="call-2"), {"type": "ping", "id": 3}))
write('protocol-server', 'seed-consult-cancel', frames(start, finish,
    command(1, "call.answer", call="call-1"), command(2, "call.consult", call="call-1", target="201"),
    command(3, "call.cancel-consult", call="call-1"), command(4, "call.hangup", call="call-1"),
    command(5, "dial", number="+390212345678"), command(6, "presence.set", presence="away")))
write('protocol-server', 'seed-bad-args', frames(start, finish,
    {"type": "command", "id": "c-1", "command": "call.answer", "args": "call-1"},
    {"type": "command", "id": "c-2", "command": "nope", "args": None},
    command(3, "dial", number="x" * 40)))
write('protocol-server', 'seed-wrong-password', frames(start,
    '{"type": "auth.finish", "data": "Yz1iaXdzLHI9YWJjLHA9QUFBQQ=="}'))
write('protocol-server', 'seed-before-login', frames(command(1, "call.answer", call="call-1"),
    {"type": "ping", "id": 1}, {"type": "auth.finish", "data": ""}))
write('protocol-server', 'seed-bad-mechanism', frames(
    '{"type": "auth.start", "mechanism": "PLAIN", "data": "AHJlY2VwdGlvbgBzZWNyZXQ="}'))

# Deep nesting (docs/protocol.md §1: at most 64 levels) and messages in
# fragments: "@FRAGMENTS@" sends the rest as fragments cut at \x01, with a
# ping at \x02, 256 KiB of spaces at \x03 and no FIN when it ends in \x04
# (fuzz/fuzz-common.c).
def nested(depth):
    return '{"type": "ping", "id": 1, "x": ' + '[' * (depth - 1) + ']' * (depth - 1) + '}'


write('protocol-client', 'seed-deep-hello', frames(nested(65)))
write('protocol-client', 'seed-deep-after-login', frames(hello, challenge, ok, nested(64), nested(65), nested(3000)))
write('protocol-client', 'seed-fragments', frames(hello, challenge, ok,
    '@FRAGMENTS@{"type": "ping",\x01 "id":\x02 7}',
    '@FRAGMENTS@{"type": "event", "seq": 1043,\x03\x03\x03\x03\x03 "event": "x"}',
    '@FRAGMENTS@{"type": "ping", "id": 8}\x04', '{"type": "ping", "id": 9}'))
write('protocol-server', 'seed-deep', frames(nested(64), nested(65), nested(3000)))
write('protocol-server', 'seed-fragments', frames(start,
    '@FRAGMENTS@{"type": "auth.finish",\x02 "data": "@SCRAM@"}',
    '@FRAGMENTS@{"type": "ping", "id": 1\x01}',
    '@FRAGMENTS@{"type": "ping", "id": 2,\x03\x03\x03\x03\x03 "x": 1}',
    '@FRAGMENTS@{"type": "ping", "id": 3}\x04'))


# The frame guard: byte 0 bit 0 HTTP first, byte 1 the piece sizes' seed,
# then the stream (fuzz/fuzz-frame-guard.c; its bound is 300 bytes).
def ws(payload, opcode=1, fin=True, mask=False, length=None):
    length = len(payload) if length is None else length
    out = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if mask else 0
    if length < 126:
        out += bytes([bit | length])
    elif length < 65536:
        out += bytes([bit | 126]) + struct.pack('>H', length)
    else:
        out += bytes([bit | 127]) + struct.pack('>Q', length)
    return out + (b'\x01\x02\x03\x04' if mask else b'') + payload


write('frame-guard', 'seed-fragments-and-pings', b'\0\x07' + ws(b'a' * 100, fin=False, mask=True) +
      ws(b'p', opcode=9) + ws(b'b' * 100, opcode=0, fin=False) + ws(b'', opcode=10, mask=True) +
      ws(b'c' * 100, opcode=0) + ws(b'd' * 300, opcode=2))
write('frame-guard', 'seed-over-bound', b'\0\x31' + ws(b'a' * 200, fin=False) + ws(b'b' * 101, opcode=0))
write('frame-guard', 'seed-long-lengths', b'\0\x42' + ws(b'x' * 130, mask=True) +
      b'\x81\x7f' + struct.pack('>Q', 1 << 40) + b'tail')
write('frame-guard', 'seed-http-upgrade', b'\1\x05' +
      b'GET /attendant HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n' +
      ws(b'a' * 150, fin=False, mask=True) + ws(b'b' * 151, opcode=0, mask=True))
write('frame-guard', 'seed-http-body', b'\1\x09' +
      b'POST /x HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody' +
      b'GET /attendant HTTP/1.1\nUpgrade: websocket\n\n' + ws(b'a' * 400))
write('frame-guard', 'seed-invalid', b'\0\x03' + ws(b'', opcode=0) + b'\xc1\x00\x09\x00')
