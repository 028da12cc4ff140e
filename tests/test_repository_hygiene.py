"""The repository as committed: no merge left half done."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)


def test_no_file_holds_merge_conflict_markers():
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    conflicted = []
    for name in filter(None, tracked):
        path = ROOT / name.decode()
        if path.suffix in {".lock", ".png", ".pdf"} or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        if MARKER.search(text):
            conflicted.append(name.decode())
    assert conflicted == [], f"merge conflict markers left in {conflicted}"
