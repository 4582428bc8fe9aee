"""Type-check app/ outside app/core against a recorded baseline: known errors pass, new ones fail.

    python tools/mypy_baseline.py            # run mypy app, fail on errors not in tools/mypy-baseline.txt
    python tools/mypy_baseline.py --update   # record the current errors as the baseline

app/core is checked strictly and without a baseline (`mypy --strict app/core` in `make check`). Elsewhere the
code predates the type checker; the baseline lets it pass today while no new error gets in. Errors are
compared without line numbers (file, message, code), so moving code does not count as a new error.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(__file__).resolve().parent / "mypy-baseline.txt"
_ERROR = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<message>.*)$")


def current_errors() -> Counter[str]:
    run = subprocess.run([sys.executable, "-m", "mypy", "app"], cwd=ROOT, capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        sys.exit(f"mypy failed:\n{run.stdout}{run.stderr}")
    errors: Counter[str] = Counter()
    for line in run.stdout.splitlines():
        match = _ERROR.match(line)
        if match and not match["path"].startswith("app/core/"):
            errors[f"{match['path']}: {match['message'].strip()}"] += 1
    return errors


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return Counter(line for line in lines if line and not line.startswith("#"))


def main(argv: list[str]) -> int:
    errors = current_errors()
    if argv == ["--update"]:
        header = (
            "# Known mypy errors outside app/core (tools/mypy_baseline.py --update). Remove lines as they are fixed.\n"
        )
        BASELINE.write_text(header + "".join(f"{e}\n" for e in sorted(errors.elements())), encoding="utf-8")
        print(f"baseline: {sum(errors.values())} known errors recorded")
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    baseline = read_baseline()
    new = errors - baseline
    fixed = baseline - errors
    for error in sorted(new.elements()):
        print(f"new: {error}")
    if fixed:
        print(f"{sum(fixed.values())} baseline error(s) fixed: run `python tools/mypy_baseline.py --update`")
    print(f"mypy outside app/core: {sum(errors.values())} errors, {sum(new.values())} new")
    return 1 if new else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
