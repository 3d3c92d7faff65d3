"""Memory: peak RSS of a listener in a conversation, plain and interactive, against the bare
interpreter; RSS growth over a long conversation comes from `turns.converse`.

RSS is read from /proc (VmHWM, the kernel's high-water mark of this process image), not
from wait4: a child started by vfork carries its parent's high-water mark in ru_maxrss.
"""

import re
import subprocess
import time

from bench.common import PYTHON, START_TIMEOUT, environment, turnchat_command
from bench.turns import memory_kib

SETTLE_SECONDS = 0.3  # how long the bare interpreter runs before it is measured


def bare_interpreter_kib() -> int:
    """Peak RSS of `python3 -c` doing nothing but wait to be measured."""
    process = subprocess.Popen([PYTHON, "-c", f"import time; time.sleep({SETTLE_SECONDS * 3})"],
                               env=environment())
    try:
        time.sleep(SETTLE_SECONDS)
        return memory_kib(process.pid).get("VmHWM", 0)
    finally:
        process.kill()
        process.wait()


def interactive_listener_kib(turns: int) -> int:
    """Peak RSS of an interactive listener (in a pty) after `turns` messages each way.

    The peer is a plain turnchat fed through a pipe; the listener's replies are typed into
    its terminal, as a person would.
    """
    import pexpect  # a test tool, installed with the test extras; only this figure needs it

    env = environment()
    env.update(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1")
    command = [*turnchat_command(), "--listen", "127.0.0.1:0", "--name", "bo"]
    listener = pexpect.spawn(command[0], command[1:], env=env, dimensions=(24, 80),
                             timeout=START_TIMEOUT)
    connector: subprocess.Popen[bytes] | None = None
    try:
        listener.expect(rb"Listening on 127\.0\.0\.1:(\d+)")
        port = int(listener.match.group(1))
        connector = subprocess.Popen(
            [*turnchat_command(), "--connect", f"127.0.0.1:{port}", "--name", "ana"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        assert connector.stdin is not None and connector.stdout is not None
        for number in range(turns):
            connector.stdin.write(f"question {number}\n".encode())
            connector.stdin.flush()
            listener.expect(re.escape(f"question {number}").encode())
            listener.send(f"answer {number}\r")
            if connector.stdout.readline() != f"answer {number}\n".encode():
                raise RuntimeError("the interactive listener's answer did not arrive")
        peak = memory_kib(listener.pid).get("VmHWM", 0)
        listener.send("/q\r")
        listener.expect(pexpect.EOF)
        connector.communicate(timeout=START_TIMEOUT)
        return peak
    finally:
        listener.close(force=True)
        if connector is not None and connector.poll() is None:
            connector.kill()
            connector.wait()
