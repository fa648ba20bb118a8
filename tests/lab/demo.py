#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Attendant demo: `attendant-cli check` against the set-ups of Imagicle's SRV guide.

Run by `sudo sh build-aux/demo-dns.sh`, which builds attendant-cli first:

    python3 tests/lab/demo.py PATH/TO/attendant-cli

It reuses the network lab's machinery (lab.py): it re-executes itself under
`unshare --net --mount`, refuses to go on unless its new network namespace has
no link but `lo`, bind-mounts the lab's resolv.conf (nameserver 127.0.0.1),
hosts and nsswitch.conf, and runs dnsmasq with the guide's SRV records (docs/dns.md),
nftables with its NAT rules and listener.py as the servers. Every address
exists only on that namespace's `lo`, so no packet leaves it.

Then it runs `attendant-cli check` in text form, its output going straight to
the terminal, with a one-line heading before each run:
  1  single DC, both servers up:      check --plain acme.com
  2  single DC, primary stopped:      check --plain acme.com
  3  single DC over TLS:              check --ca-file=<lab CA> acme.com
  4  single DC, the other order:      check --plain --priority-order=rfc2782 acme.com
  5  dual DC, dc1 stopped:            check --plain acme.com

Every process it starts is stopped and its work directory removed at the end,
on an error and on Ctrl-C (SIGINT), SIGTERM or SIGHUP too; the namespace, its
addresses and its nftables rules vanish with the last process in it. Exit
status: 0 when every check ended as expected, 1 otherwise, 128 + the signal
number when interrupted (130 for Ctrl-C).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402 - the lab's directory is put on the path first

PLAIN = 51234
TLS = 51235


class Interrupted(Exception):
    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def say(text=""):
    print(text, flush=True)


def heading(text):
    say()
    say(f"━━ {text}")


def fail(message):
    print(f"demo.py: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def outside_namespace(cli):
    if os.geteuid() != 0:
        fail("needs root to create its private network namespace "
             "(run: sudo sh build-aux/demo-dns.sh)")
    problem = L.namespace_problem()
    if problem:
        fail(f"the demo's network namespace {problem}")
    L.enter_namespace(__file__, [cli])


class Demo:
    def __init__(self, cli, workdir):
        self.cli_path = cli
        self.lab = L.Lab(workdir, cli)
        self.fw = L.Firewall()
        self.unexpected = []

    def check(self, number, title, args, expected_status=0):
        """One `attendant-cli check` run, in text form, straight to the
        terminal; only ever inside the namespace, with the lab's resolver."""
        self.lab.check_isolation()
        self.lab.check_resolver()
        shown = " ".join(["attendant-cli", "check", "--tcp-only", *args])
        heading(f"{number}. {title} — {shown}")
        say()
        # The demo's stand-in servers speak TCP and TLS, not the protocol.
        status = subprocess.run([self.cli_path, "check", "--tcp-only", *args], stdin=subprocess.DEVNULL,
                                timeout=120).returncode
        if status != expected_status:
            self.unexpected.append(f"step {number} exited with {status}, "
                                   f"expected {expected_status}")
            say(f"(attendant-cli exited with {status}; expected {expected_status})")

    def servers(self, endpoints, cert=None):
        """Starts one listener per (name, address, port); returns them by name."""
        return {name: self.lab.start_listener(f"{name}-{port}", [(address, port)], cert)
                for name, address, port in endpoints}

    def run(self):
        lab, fw = self.lab, self.fw
        say("Setting up a private network namespace with the DNS and NAT of Imagicle's SRV guide...")
        lab.setup_namespace()
        lab.make_certificates()
        ca = lab.certs["ca"]
        say(f"""
Single data centre (from Imagicle's SRV guide; 203.0.113.100 stands in for its
public 123.100.100.100, and every address lives on this namespace's lo only):
  DNS (dnsmasq on 127.0.0.1)
    acme.com                 A    {L.PUBLIC_DC1}
    _iac._tcp.acme.com       SRV  10 100 28101 acme.com
    _iac._tcp.acme.com       SRV   8  80 28102 acme.com
    _iacsec._tcp.acme.com    the same two records, for TLS
  NAT (nftables)
    {L.PUBLIC_DC1}:28101 -> {L.PRIVATE_PRIMARY}:51234 (51235 for TLS), the primary server
    {L.PUBLIC_DC1}:28102 -> {L.PRIVATE_BACKUP}:51234 (51235 for TLS), the backup server
  TLS: a test CA ({ca})
       and a server certificate for acme.com signed by it""")

        # 1 and 2: plain, both up, then the primary stopped.
        lab.start_dns("single")
        fw.apply(nat=L.single_dc_nat(PLAIN))
        up = self.servers([("primary", L.PRIVATE_PRIMARY, PLAIN),
                           ("backup", L.PRIVATE_BACKUP, PLAIN)])
        self.check(1, "Single data centre, both servers up: the primary at 28101",
                   ["--plain", "acme.com"])
        lab.stop_listener(up["primary"])
        self.check(2, "The primary's server stopped: refused at 28101, then the backup at 28102",
                   ["--plain", "acme.com"])
        lab.stop_scenario()

        # 3: TLS, both up, the lab's CA as an extra trust anchor.
        fw.apply(nat=L.single_dc_nat(TLS))
        self.servers([("primary", L.PRIVATE_PRIMARY, TLS), ("backup", L.PRIVATE_BACKUP, TLS)],
                     cert="acme")
        self.check(3, "TLS, the lab's CA trusted, a certificate for acme.com",
                   [f"--ca-file={ca}", "acme.com"])
        lab.stop_scenario()

        # 4: plain, both up, RFC 2782's order.
        fw.apply(nat=L.single_dc_nat(PLAIN))
        self.servers([("primary", L.PRIVATE_PRIMARY, PLAIN),
                      ("backup", L.PRIVATE_BACKUP, PLAIN)])
        self.check(4, "RFC 2782's order, lowest priority number first: the backup at 28102",
                   ["--plain", "--priority-order=rfc2782", "acme.com"])
        lab.stop_scenario()

        # 5: dual DC, dc1's server stopped.
        lab.start_dns("dual")
        fw.apply(nat=L.dual_dc_nat(PLAIN))
        self.servers([("dc2", L.PRIVATE_DC2, PLAIN)])
        say(f"""
Dual data centre (from Imagicle's SRV guide; 198.51.100.100 stands in for 123.200.100.100):
  DNS  dc1.acme.com A {L.PUBLIC_DC1}, dc2.acme.com A {L.PUBLIC_DC2}
       _iac._tcp.acme.com SRV 10 100 21234 dc1.acme.com
       _iac._tcp.acme.com SRV  8  80 21234 dc2.acme.com
  NAT  {L.PUBLIC_DC1}:21234 -> {L.PRIVATE_PRIMARY}:51234 (dc1: its server is stopped)
       {L.PUBLIC_DC2}:21234 -> {L.PRIVATE_DC2}:51234 (dc2)""")
        self.check(5, "Dual data centre, dc1's server stopped: refused at dc1, then dc2",
                   ["--plain", "acme.com"])
        lab.stop_scenario()


def inside_namespace(cli):
    def on_signal(signum, frame):
        raise Interrupted(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    workdir = tempfile.mkdtemp(prefix="attendant-demo-")
    demo = None
    status = 0
    try:
        demo = Demo(cli, workdir)
        demo.run()
    except Interrupted as e:
        say()
        say(f"Interrupted ({e}): stopping the demo's processes and removing {workdir}.")
        status = 128 + e.signum
    except (L.LabError, OSError, subprocess.SubprocessError) as e:
        print(f"demo.py: the demo failed: {e}", file=sys.stderr, flush=True)
        status = 1
    finally:
        # A second Ctrl-C must not cut the clean-up short.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        if demo is not None:
            demo.lab.procs.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    if status:
        return status

    say()
    if demo.unexpected:
        say("Some checks did not end as expected: " + "; ".join(demo.unexpected) + ".")
        status = 1
    say("""Done: every process the demo started is stopped and its files are removed; the
namespace, with its DNS, NAT and addresses, ends with the demo.

The desktop app uses the same discovery and connection core as attendant-cli;
`sh build-aux/demo.sh` shows it against the reference server on loopback.

To run the tests:
  sudo sh build-aux/test.sh                   # every suite, network lab and sanitizers included
  meson test -C _build/demo --suite unit --suite integration
  sudo meson test -C _build/demo --suite lab  # the network lab (needs root)""")
    return status


def main():
    if len(sys.argv) != 2:
        fail("usage: demo.py PATH/TO/attendant-cli (or run: sudo sh build-aux/demo-dns.sh)")
    cli = os.path.abspath(sys.argv[1])
    if not os.access(cli, os.X_OK):
        fail(f"{cli} is not an executable attendant-cli")
    if os.environ.get(L.NS_MARK) != "1":
        outside_namespace(cli)
    sys.exit(inside_namespace(cli))


if __name__ == "__main__":
    main()
