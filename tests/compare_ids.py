"""Compare two lists of pytest test ids (``pytest --collect-only -q``): none may vanish.

Files move between folders, so a test is matched by its name and parameters
(``test_x[sqlite-5k]``), counted: the same name in two files counts twice.

    python -m tests.compare_ids before.txt after.txt
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path


def names(path: Path) -> Counter[str]:
    """Each test id without its file path (``file.py::Class::test[p]`` -> ``Class::test[p]``)."""
    ids = [line.strip() for line in path.read_text().splitlines() if "::" in line]
    return Counter(test_id.split("::", 1)[1] for test_id in ids)


def main(before: str, after: str) -> int:
    """Print what vanished and what is new; non-zero if anything vanished."""
    old, new = names(Path(before)), names(Path(after))
    gone, added = old - new, new - old
    for name in sorted(gone.elements()):
        print(f"vanished: {name}")
    for name in sorted(added.elements()):
        print(f"new: {name}")
    print(f"before {sum(old.values())}, after {sum(new.values())}: ", end="")
    print(f"{sum(gone.values())} vanished, {sum(added.values())} new")
    return 1 if gone else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
