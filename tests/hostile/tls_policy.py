#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The TLS policy of the real attendant-server, as other TLS stacks see it.

Starts the attendant-server program (ATTENDANT_SERVER) with one TLS node on
127.0.0.1 and an RSA certificate (RSA, so that static RSA key exchange is
possible at all and its refusal means something), then drives it with
gnutls-cli and openssl s_client:

  - TLS 1.2 with static RSA key exchange (no forward secrecy) is refused;
  - TLS 1.2 with a CBC suite is refused, with ECDHE as with static RSA;
  - TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305 is accepted;
  - TLS 1.3 is accepted, and is what a default client gets;
  - TLS 1.1 is refused, and so is a client without secure renegotiation
    (RFC 5746);
  - a client-initiated renegotiation of a TLS 1.2 session is refused: the
    server closes the connection instead of running a second handshake.

TAP on stdout. Nothing leaves loopback.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT_S = 20


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, good, name, diagnostics=()):
        self.n += 1
        if not good:
            self.failed += 1
        print(f"{'ok' if good else 'not ok'} {self.n} - {name}")
        if not good:
            for line in diagnostics:
                for part in str(line).splitlines():
                    print(f"# {part}")
        sys.stdout.flush()

    def diag(self, text):
        print(f"# {text}")
        sys.stdout.flush()


TAP = Tap()


def run(argv, stdin=subprocess.DEVNULL, timeout=TIMEOUT_S):
    return subprocess.run(argv, stdin=stdin, capture_output=True, text=True,
                          timeout=timeout, check=False)


def make_files(workdir):
    """An RSA certificate for localhost, a users file and the config."""
    key = os.path.join(workdir, "server.key")
    pem = os.path.join(workdir, "server.pem")
    made = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key, "-out", pem, "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
    if made.returncode != 0:
        raise RuntimeError(f"openssl req failed: {made.stderr}")

    password = os.path.join(workdir, "password")
    with open(os.open(password, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write("secret-password\n")
    users = os.path.join(workdir, "users.ini")
    added = run([os.environ["ATTENDANT_SERVER"], "add-user", users, "reception",
                 "--extension=200", f"--password-file={password}"])
    if added.returncode != 0:
        raise RuntimeError(f"attendant-server add-user failed: {added.stderr}")
    os.chmod(users, 0o600)

    config = os.path.join(workdir, "server.conf")
    with open(config, "w") as f:
        f.write("[server]\n"
                "cluster=tls-policy\n"
                f"users={users}\n"
                "\n"
                "[node n1]\n"
                "tls=127.0.0.1:0\n"
                f"certificate={pem}\n"
                f"key={key}\n")
    return config


def start_server(config):
    """Returns (process, port) once the server says "ready"."""
    env = dict(os.environ)
    # The policy under test is the server's own, not one inherited.
    env.pop("G_TLS_GNUTLS_PRIORITY", None)
    proc = subprocess.Popen([os.environ["ATTENDANT_SERVER"], "--config", config],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    port = None
    deadline = time.monotonic() + TIMEOUT_S
    for line in proc.stdout:
        words = line.split()
        # "node NAME TRANSPORT ADDRESS PORT", then "ready"
        if len(words) == 5 and words[0] == "node" and words[2] == "tls":
            port = int(words[4])
        if line.strip() == "ready" or time.monotonic() > deadline:
            break
    if port is None:
        proc.kill()
        raise RuntimeError(f"attendant-server did not announce a TLS port: {proc.stderr.read()}")
    return proc, port


def gnutls(port, priority, *extra):
    return run(["gnutls-cli", "--insecure", "--port", str(port), f"--priority={priority}",
                *extra, "127.0.0.1"])


def openssl(port, *options):
    return run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}",
                "-servername", "localhost", *options])


def describe(result):
    return [f"command: {' '.join(result.args)}", f"exit status: {result.returncode}",
            "stdout:", *(result.stdout.splitlines()[-25:] or ["(empty)"]),
            "stderr:", *(result.stderr.splitlines()[-25:] or ["(empty)"])]


def gnutls_completed(result):
    return "- Handshake was completed" in result.stdout


def openssl_negotiated(result):
    """(protocol, cipher) of the session s_client reports, or None."""
    new = re.search(r"^New, (\S+), Cipher is (\S+)", result.stdout, re.M)
    if new is None or new.group(2) == "(NONE)":
        return None
    # "New, TLSv1.0, ..." names the suite's first version, not the session's:
    # the session block says which, when s_client printed one.
    protocol = re.search(r"^\s*Protocol\s*:\s*(\S+)", result.stdout, re.M)
    return (protocol.group(1) if protocol else new.group(1)), new.group(2)


def check_refused_gnutls(port, name, priority):
    result = gnutls(port, priority)
    TAP.ok(result.returncode != 0 and not gnutls_completed(result), name, describe(result))


def check_refused_openssl(port, name, *options):
    result = openssl(port, *options)
    TAP.ok(openssl_negotiated(result) is None, name, describe(result))


def check_accepted_openssl(port, name, protocol, cipher, *options):
    result = openssl(port, *options)
    got = openssl_negotiated(result)
    TAP.ok(got == (protocol, cipher), f"{name} (got {got})", describe(result))


def check_accepted_gnutls(port, name, priority, expect):
    result = gnutls(port, priority)
    TAP.ok(gnutls_completed(result) and re.search(expect, result.stdout) is not None,
           name, describe(result))


def check_renegotiation(port):
    """gnutls-cli --rehandshake does the first TLS 1.2 handshake, then at
    once starts a second one on the same connection: the server must not
    complete it (it closes the connection instead)."""
    result = gnutls(port, "NORMAL:-VERS-ALL:+VERS-TLS1.2", "--rehandshake")
    first = gnutls_completed(result)
    again = "ReHandshake was completed" in result.stdout
    refused = "ReHandshake has failed" in result.stderr
    TAP.ok(first and not again and refused and result.returncode != 0,
           "TLS 1.2, client-initiated renegotiation (gnutls-cli --rehandshake): the first "
           "handshake completes, the second is refused and the connection closed",
           describe(result))


def main():
    if "ATTENDANT_SERVER" not in os.environ:
        print("Bail out! ATTENDANT_SERVER is not set to the attendant-server binary")
        return 1
    for tool in ("gnutls-cli", "openssl"):
        if shutil.which(tool) is None:
            # build-aux/install-deps.sh installs both: missing is a failure.
            print(f"Bail out! {tool} is not installed (gnutls-bin, openssl)")
            return 1

    with tempfile.TemporaryDirectory(prefix="attendant-tls-policy-") as workdir:
        config = make_files(workdir)
        proc, port = start_server(config)
        try:
            TAP.diag(f"attendant-server pid {proc.pid}, TLS on 127.0.0.1:{port}")

            check_refused_gnutls(port, "TLS 1.2, static RSA key exchange (gnutls-cli -KX-ALL:+RSA): "
                                 "refused", "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA")
            check_refused_openssl(port, "TLS 1.2, static RSA with AES-GCM (openssl AES128-GCM-SHA256): "
                                  "refused", "-tls1_2", "-cipher", "AES128-GCM-SHA256")
            check_refused_openssl(port, "TLS 1.2, static RSA with CBC (openssl AES128-SHA256): refused",
                                  "-tls1_2", "-cipher", "AES128-SHA256")
            check_refused_openssl(port, "TLS 1.2, ECDHE with CBC (openssl ECDHE-RSA-AES128-SHA256): "
                                  "refused", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256")
            check_refused_openssl(port, "TLS 1.2, ECDHE with CBC and SHA-1 (openssl ECDHE-RSA-AES256-SHA): "
                                  "refused", "-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA")
            check_refused_gnutls(port, "TLS 1.2, any CBC suite (gnutls-cli -CIPHER-ALL:+AES-128-CBC:"
                                 "+AES-256-CBC): refused",
                                 "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CBC:+AES-256-CBC")
            check_refused_openssl(port, "TLS 1.1: refused", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0")
            check_refused_gnutls(port, "TLS 1.2, a client without secure renegotiation (RFC 5746; "
                                 "gnutls-cli %DISABLE_SAFE_RENEGOTIATION): refused",
                                 "NORMAL:-VERS-ALL:+VERS-TLS1.2:%DISABLE_SAFE_RENEGOTIATION")

            check_accepted_openssl(port, "TLS 1.2, ECDHE with AES-128-GCM: accepted",
                                   "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256",
                                   "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")
            check_accepted_openssl(port, "TLS 1.2, ECDHE with AES-256-GCM: accepted",
                                   "TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384",
                                   "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384")
            check_accepted_openssl(port, "TLS 1.2, ECDHE with ChaCha20-Poly1305: accepted",
                                   "TLSv1.2", "ECDHE-RSA-CHACHA20-POLY1305",
                                   "-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305")
            check_accepted_gnutls(port, "TLS 1.2, gnutls-cli's defaults limited to TLS 1.2: an "
                                  "ECDHE AEAD suite", "NORMAL:-VERS-ALL:+VERS-TLS1.2",
                                  r"Description: \(TLS1\.2-X\.509\)-\(ECDHE-[^)]*\)-\([^)]*\)-"
                                  r"\((AES-(128|256)-GCM|CHACHA20-POLY1305)\)")
            check_accepted_openssl(port, "TLS 1.3 (openssl's defaults): accepted",
                                   "TLSv1.3", "TLS_AES_256_GCM_SHA384")
            check_accepted_gnutls(port, "TLS 1.3 (gnutls-cli's defaults): accepted", "NORMAL",
                                  r"Description: \(TLS1\.3-X\.509\)")

            check_renegotiation(port)

            alive = proc.poll() is None
            TAP.ok(alive, "the server is still running after all of it",
                   [f"exit status {proc.returncode}"])
        finally:
            proc.terminate()
            try:
                _, err = proc.communicate(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            # Under the sanitizers, a report makes this fail too.
            TAP.ok(proc.returncode == 0, "the server exits 0 on SIGTERM",
                   [f"exit status {proc.returncode}"])
            if TAP.failed:
                TAP.diag("attendant-server stderr:")
                for line in err.splitlines()[-40:]:
                    TAP.diag(line)

    print(f"1..{TAP.n}")
    return 1 if TAP.failed else 0


if __name__ == "__main__":
    sys.exit(main())
