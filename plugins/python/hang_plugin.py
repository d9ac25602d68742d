#!/usr/bin/env python3
"""Test plugin that hangs.

  hang_plugin.py score       answers the handshake and each score request, except that it never
                             answers a request whose completion contains "hang" (default mode)
  hang_plugin.py handshake   never answers the handshake
  --child                    also starts a sleeping child process and logs its pid to stderr, to
                             check that grit kills the plugin's whole process group
"""
import json
import subprocess
import sys
import time


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def hang():
    print("hang_plugin: hanging on purpose", file=sys.stderr, flush=True)
    while True:
        time.sleep(1000)


def main():
    args = sys.argv[1:]
    mode = "handshake" if "handshake" in args else "score"
    if "--child" in args:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)"])
        print("hang_plugin: child pid %d" % child.pid, file=sys.stderr, flush=True)
    for line in iter(sys.stdin.readline, ""):
        message = json.loads(line)
        if message["type"] == "hello":
            if mode == "handshake":
                hang()
            send({"type": "hello", "protocol": 1, "name": "hang", "components": ["score"]})
        elif "hang" in message.get("completion", ""):
            hang()
        else:
            send({"type": "result", "id": message["id"], "components": {"score": 1.0}})


if __name__ == "__main__":
    main()
