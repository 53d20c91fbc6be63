"""`make audit` (scripts/audit.py) says how many packages pip-audit could audit: an audit
that skipped every package must not read as a clean one."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit.py"
spec = importlib.util.spec_from_file_location("audit", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

SKIPPED = "Dependency not found and could not be audited: django (5.2.9)"


def test_an_audit_that_could_check_nothing_says_so_and_does_not_fail():
    lines, status = audit.summary(
        {
            "dependencies": [
                {"name": "django", "skip_reason": SKIPPED},
                {"name": "psycopg", "skip_reason": SKIPPED},
            ]
        }
    )
    assert status == 0
    assert lines[0] == "pip-audit: audited 0 of 2 pinned packages, 0 with a known vulnerability."
    assert lines[1].startswith("WARNING: pip-audit could audit none of them")
    assert SKIPPED in lines[1]


def test_a_known_vulnerability_fails_the_audit_and_names_its_fix():
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.1",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.2"]}],
            },
            {"name": "psycopg", "version": "3.2.0", "vulns": []},
            {"name": "anyascii", "skip_reason": SKIPPED},
        ]
    }
    lines, status = audit.summary(report)
    assert status == 1
    assert lines == [
        "django 5.2.1: PYSEC-1 (fixed in: 5.2.2)",
        "pip-audit: audited 2 of 3 pinned packages, 1 with a known vulnerability.",
    ]


def test_a_clean_audit_passes_without_a_warning():
    lines, status = audit.summary(
        {"dependencies": [{"name": "psycopg", "version": "3.2.0", "vulns": []}]}
    )
    assert (lines, status) == (
        ["pip-audit: audited 1 of 1 pinned packages, 0 with a known vulnerability."],
        0,
    )
