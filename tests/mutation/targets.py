"""The critical modules and the tests that guard each (fastest and closest first).

Critical means: a broken line there costs a user a leaked secret, a lost or doubled key, a host
that never joins, or a file mode that exposes a key. Every module that handles secret values,
the provisioning journal, the device script, the YAML layer, retries, and the lint rules that
guard secrets and permissions is listed. ``pytest -x`` stops at the first failing test, so the
tests that kill most mutants soonest come first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Target:
    path: str  # relative to src/palette_tailscale
    tests: tuple[str, ...]  # pytest arguments, relative to the repository
    why: str


TARGETS: tuple[Target, ...] = (
    Target(
        "secrets.py",
        ("tests/test_secrets.py", "tests/tailnet/test_redaction.py", "tests/config"),
        "the Secret type and redact(): every secret's repr and every scrubbed message",
    ),
    Target(
        "config/secretref.py",
        ("tests/config/test_secretref.py", "tests/config", "tests/cli/test_init_schema.py"),
        "secret references ({env:}, {file:}, mint:) resolved into Secret values",
    ),
    Target(
        "tailnet/redaction.py",
        ("tests/tailnet/test_redaction.py", "tests/tailnet"),
        "secrets scrubbed from log records and errors",
    ),
    Target(
        "tailnet/auth.py",
        ("tests/tailnet/test_auth.py", "tests/tailnet/test_oauth.py", "tests/tailnet"),
        "API keys and OAuth client secrets turned into request credentials",
    ),
    Target(
        "tailnet/retry.py",
        ("tests/tailnet/test_retry.py", "tests/tailnet"),
        "what is retried and how long to wait",
    ),
    Target(
        "tailnet/bulk.py",
        ("tests/tailnet/test_bulk.py", "tests/tailnet"),
        "bulk operations: bounded, parallel, every outcome kept",
    ),
    Target(
        "fleet/journal.py",
        ("tests/fleet/test_journal.py", "tests/fleet/test_crash_resume.py", "tests/fleet"),
        "the provisioning journal: durable records, torn tails, the lock, file mode 0600",
    ),
    Target(
        "atomic.py",
        ("tests/test_atomic.py", "tests/render/test_canvos.py", "tests/fleet/test_provision.py"),
        "atomic writes and the file modes of written keys",
    ),
    Target(
        "yamlio.py",
        (
            "tests/test_yamlio_emitter.py",
            "tests/test_yamlio.py",
            "tests/lint/test_yaml_semantics.py",
            "tests/lint/test_rules.py",
            "tests/config/test_load.py",
        ),
        "the YAML layer: positions and yaml.v3 meaning in, deterministic YAML out",
    ),
    Target(
        "lint/rules/pt005_permissions.py",
        ("tests/lint/test_guard_rules.py", "tests/lint"),
        "lint: file permissions that are surely wrong",
    ),
    Target(
        "lint/rules/pt013_secret.py",
        ("tests/lint/test_guard_rules.py", "tests/lint"),
        "lint: auth key literals in user-data",
    ),
    Target(
        "lint/rules/pt024_missing_permissions.py",
        ("tests/lint/test_rules.py", "tests/lint"),
        "lint: written files without permissions",
    ),
    Target(
        "lint/rules/pt025_write_files_permissions.py",
        ("tests/lint/test_rules.py", "tests/lint"),
        "lint: write_files permissions",
    ),
    Target(
        "device/enroll.sh",
        (
            "tests/device/test_clock.py",
            "tests/device/test_enroll.py",
            "tests/device/test_boot_once.py",
            "tests/device/test_script.py",
            "tests/device",  # the real-time bounds (slowest) come last, in name order
        ),
        "the first-boot enrollment script",
    ),
)


def find(name: str) -> Target:
    """The target whose path is ``name`` (or ends with it: ``redaction.py``)."""
    for target in TARGETS:
        if target.path == name or target.path.endswith("/" + name):
            return target
    raise KeyError(name)
