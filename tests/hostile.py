"""Hostile text, as an attacker would type it: terminal control sequences and invisible tricks.

One list for the input tests (each must be refused) and the output tests
(each, written into a store directly with SQL, must come out escaped).
"""

from __future__ import annotations

ESC = "\x1b"
#: Clears the screen.
CLEAR = f"{ESC}[2J"
#: Retitles the terminal window.
TITLE = f"{ESC}]0;pwned\x07"
#: An OSC 8 hyperlink: the text shows "click", the link goes elsewhere.
OSC8 = f"{ESC}]8;;https://evil.example/{ESC}\\click{ESC}]8;;{ESC}\\"
NUL = "\x00"
#: Right-to-left override: "exe.txt" shows as "txt.exe".
RLO = "\u202e"

#: name → hostile text; each is refused on input anywhere.
HOSTILE = {
    "clear": f"Discharge stalled {CLEAR} neither agency",
    "title": f"Plain words {TITLE} more words",
    "osc8": f"See {OSC8} for the plan",
    "nul": f"before{NUL}after text",
    "rlo": f"agreed {RLO}deifirev ton",
    "c1": "an 8-bit CSI \x9b2J here",
    "isolate": "text \u2066isolated\u2069 here",
}

#: Characters that must never reach a terminal raw.
RAW = (ESC, NUL, "\x07", "\x9b", RLO, "\u2066")


def assert_no_raw(text: str) -> None:
    """``text`` holds none of the hostile characters as they are."""
    found = [f"U+{ord(c):04X}" for c in RAW if c in text]
    assert not found, f"raw control characters reached the output: {found}"
