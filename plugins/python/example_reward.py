#!/usr/bin/env python3
"""Example grit reward plugin (protocol 1): pure standard-library Python 3.

It reads one JSON object per line on stdin and answers one per line on stdout:

  grit -> {"type":"hello","protocol":1,"client":"grit"}
  this <- {"type":"hello","protocol":1,"name":"example_reward","components":["correct","length"]}
  grit -> {"type":"score","id":1,"task":{"id":"t1","prompt":"2+3=?","answer":"5","meta":{}},
           "completion":"2+3 is 5","turn":0,"history":[]}
  this <- {"type":"result","id":1,"components":{"correct":1.0,"length":8},"correct":true}

Components:
  correct  1.0 if the last number in the completion equals the reference answer (exactly, as
           rationals: 0.5 == 1/2, 1,000 == 1000), else 0.0; an error string if the reference
           answer is not a number.
  length   the completion's length in characters.

With --feedback, a wrong first attempt gets feedback and done=false, so grit's "plugin" env asks
the policy to try again (multi-turn).

Run it by hand to see it work:
  printf '%s\n' '{"type":"hello","protocol":1}' \
    '{"type":"score","id":1,"task":{"answer":"5"},"completion":"it is 5","turn":0}' \
    | python3 plugins/python/example_reward.py
"""
import json
import re
import sys
from fractions import Fraction

PROTOCOL = 1
NAME = "example_reward"
COMPONENTS = ["correct", "length"]

# A signed integer, decimal or fraction, with optional thousands separators: -1,234.5  3/4
NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?(?:/\d+)?")


def as_fraction(text):
    """The exact rational value of a number string, or None."""
    text = text.strip().replace(",", "").replace("$", "")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None


def last_number(text):
    """The value of the last number in text, or None when there is none."""
    found = NUMBER.findall(text)
    return as_fraction(found[-1]) if found else None


def score(request, give_feedback):
    task = request.get("task", {})
    completion = request.get("completion", "")
    components = {"length": len(completion)}
    want = as_fraction(str(task.get("answer", "")))
    correct = False
    if want is None:
        components["correct"] = "reference answer %r is not a number" % task.get("answer")
    else:
        correct = last_number(completion) == want
        components["correct"] = 1.0 if correct else 0.0
    answer = {"type": "result", "id": request["id"], "components": components, "correct": correct}
    if give_feedback and want is not None and not correct and request.get("turn", 0) == 0:
        answer["feedback"] = "That answer is not correct. Check your work and give the final number again."
        answer["done"] = False
    return answer


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    give_feedback = "--feedback" in sys.argv[1:]
    while True:
        line = sys.stdin.readline()
        if not line:
            return  # grit closed stdin: exit
        if not line.strip():
            continue
        message = json.loads(line)
        kind = message.get("type")
        if kind == "hello":
            send({"type": "hello", "protocol": PROTOCOL, "name": NAME, "components": COMPONENTS})
        elif kind == "score":
            try:
                send(score(message, give_feedback))
            except Exception as exc:  # report, never die: grit marks the components failed
                send({"type": "result", "id": message.get("id", 0), "error": "%s: %s" % (type(exc).__name__, exc)})
        else:
            print("example_reward: ignoring message of type %r" % kind, file=sys.stderr)


if __name__ == "__main__":
    main()
