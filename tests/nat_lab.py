"""A NAT lab in network namespaces: two homes on the same private range, each behind a
router of its own that masquerades and drops unsolicited inbound, and a "public" network
with the relay between them. Built by the tests in well under a second, and removed.

    h1 192.168.1.2 -- r1 (192.168.1.1 | 203.0.113.2) --+
                                                      pub 203.0.113.1, .5; relay 198.51.100.10
    h2 192.168.1.2 -- r2 (192.168.1.1 | 203.0.113.6) --+

The routers run nftables: masquerade out of their public side, forward only what the home
started (conntrack), and forget an idle TCP connection after `idle_seconds` (the conntrack
sysctl), as home routers do. The lab's addresses are only ever reached from inside its
namespaces. It needs root (`ip netns`) and nftables; `unavailable()` says why not.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

RELAY_ADDRESS = "198.51.100.10"
ROUTER_PUBLIC = {"r1": "203.0.113.2", "r2": "203.0.113.6"}
_RULES = """
table ip nat {{
  chain post {{
    type nat hook postrouting priority 100; policy accept;
    oifname "wan" masquerade
  }}
}}
table inet filter {{
  chain forward {{
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan" ct state new accept
  }}
  chain input {{
    type filter hook input priority 0; policy accept;
    iifname "wan" ct state new drop
  }}
}}
"""


def unavailable() -> str:
    """Why the lab cannot be built here ("" if it can)."""
    if os.geteuid() != 0:
        return "the NAT lab needs root for ip netns (CI runs as root)"
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            return f"the NAT lab needs {tool} (CI installs iproute2 and nftables)"
    return ""


class NatLab:
    def __init__(self, idle_seconds: int = 30) -> None:
        self.prefix = f"tc{os.getpid()}x{time.monotonic_ns() % 100000}"
        self.names = {role: f"{self.prefix}-{role}" for role in ("pub", "r1", "h1", "r2", "h2")}
        try:
            self._build(idle_seconds)
        except BaseException:
            self.remove()
            raise

    def run_in(self, role: str) -> tuple[str, ...]:
        """The prefix that runs a command inside `role`'s namespace."""
        return ("ip", "netns", "exec", self.names[role])

    def _ip(self, *args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True)

    def _in(self, role: str, *command: str, stdin: str | None = None) -> None:
        subprocess.run([*self.run_in(role), *command], check=True, capture_output=True,
                       input=stdin, text=True)

    def _link(self, left: str, left_name: str, right: str, right_name: str) -> None:
        a, b = f"{self.prefix}a", f"{self.prefix}b"
        self._ip("link", "add", a, "type", "veth", "peer", "name", b)
        self._ip("link", "set", a, "netns", self.names[left], "name", left_name)
        self._ip("link", "set", b, "netns", self.names[right], "name", right_name)
        for role, name in ((left, left_name), (right, right_name)):
            self._ip("-n", self.names[role], "link", "set", name, "up")

    def _build(self, idle_seconds: int) -> None:
        for name in self.names.values():
            self._ip("netns", "add", name)
            self._ip("-n", name, "link", "set", "lo", "up")
        self._link("pub", "to1", "r1", "wan")
        self._link("pub", "to2", "r2", "wan")
        self._link("r1", "lan", "h1", "eth0")
        self._link("r2", "lan", "h2", "eth0")
        addresses = [("pub", "203.0.113.1/30", "to1"), ("pub", "203.0.113.5/30", "to2"),
                     ("pub", f"{RELAY_ADDRESS}/32", "lo"),
                     ("r1", "203.0.113.2/30", "wan"), ("r1", "192.168.1.1/24", "lan"),
                     ("r2", "203.0.113.6/30", "wan"), ("r2", "192.168.1.1/24", "lan"),
                     ("h1", "192.168.1.2/24", "eth0"), ("h2", "192.168.1.2/24", "eth0")]
        for role, address, device in addresses:
            self._ip("-n", self.names[role], "addr", "add", address, "dev", device)
        for role, gateway in (("r1", "203.0.113.1"), ("r2", "203.0.113.5"),
                              ("h1", "192.168.1.1"), ("h2", "192.168.1.1")):
            self._ip("-n", self.names[role], "route", "add", "default", "via", gateway)
        for router in ("r1", "r2"):
            self._in(router, "sysctl", "-qw", "net.ipv4.ip_forward=1")
            self._in(router, "nft", "-f", "-", stdin=_RULES.format())
            self._in(router, "sysctl", "-qw",
                     f"net.netfilter.nf_conntrack_tcp_timeout_established={idle_seconds}")

    def remove(self) -> None:
        for name in self.names.values():
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
            Path(f"/run/netns/{name}").unlink(missing_ok=True)

    def __enter__(self) -> "NatLab":
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
