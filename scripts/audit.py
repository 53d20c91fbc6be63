"""`make audit`: pip-audit over the pinned dependencies, saying how many it could audit.

pip-audit asks a vulnerability service about every pinned package. Where it cannot get an
answer (a machine without the service in reach, as CI's), it skips every package, prints
"No known vulnerabilities found" and exits 0, so an audit of nothing would read as a clean
one. This runs it with its JSON report and says how many packages it audited, with a warning
when it could audit none. It fails, as pip-audit does, when a package has a known
vulnerability; an audit that could check nothing does not fail (CI has no such service), it
says so.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [
    str(ROOT / ".venv" / "bin" / "pip-audit"),
    "--disable-pip",
    "--no-deps",
    "--requirement",
    str(ROOT / "constraints.txt"),
    "--progress-spinner",
    "off",
    "--format",
    "json",
]


def summary(report: dict) -> tuple[list[str], int]:
    """The lines to print for pip-audit's JSON report, and the exit status."""
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    lines = []
    for dependency in vulnerable:
        for vulnerability in dependency["vulns"]:
            fixes = ", ".join(vulnerability.get("fix_versions") or []) or "none yet"
            lines.append(
                f"{dependency['name']} {dependency.get('version', '')}: "
                f"{vulnerability.get('id', '?')} (fixed in: {fixes})"
            )
    lines.append(
        f"pip-audit: audited {len(audited)} of {len(dependencies)} pinned packages, "
        f"{len(vulnerable)} with a known vulnerability."
    )
    if dependencies and not audited:
        lines.append(
            "WARNING: pip-audit could audit none of them ("
            + dependencies[0]["skip_reason"]
            + "): this run says nothing about their vulnerabilities."
        )
    return lines, 1 if vulnerable else 0


def main() -> int:
    result = subprocess.run(COMMAND, capture_output=True, text=True, check=False)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        sys.stderr.write(result.stderr)
        return result.returncode or 1
    lines, status = summary(report)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
