"""The shell statements of the Dockerfile block's single ``RUN``, one list per install method.

Each list item is one line of the ``RUN`` (joined with `` \\`` continuations), so every line
carries its own separator. Tailscale's repository layout: reference/canvos-palette.md §3
("verified in source: tailscale scripts/installer.sh").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .dockerfile import InstallPlan

CURL: Final = "curl -fsSL --proto =https --retry 3"

# The os-release families each auto method accepts (ID or a word of ID_LIKE).
FAMILIES: Final = {
    "apt": ("ubuntu", "debian"),
    "zypper": ("opensuse-leap", "opensuse", "suse", "sles"),
    "rpm": ("rhel", "centos", "fedora"),
}
TOOLS: Final = {"apt": "apt-get", "zypper": "zypper", "rpm": "dnf", "static": "tar"}
# hadolint's "pin the version" rule per method, waived only when the config pins nothing.
PIN_RULES: Final = {"apt": "DL3008", "zypper": "DL3037", "rpm": "DL3041"}


def fail(message: str) -> str:
    """A shell group that prints ``message`` to stderr and stops the build."""
    return f'{{ echo "palette-tailscale: {message}" >&2; exit 1; }}'


def ignore_lines(plan: InstallPlan) -> list[str]:
    rule = PIN_RULES.get(plan.method)
    if plan.version is not None or rule is None:
        return []
    return [
        "# Unpinned on purpose: tailscale.install.version is not set, so the newest release",
        "# is installed. Set it to pin the version and hold it against CanvOS's later upgrade.",
        f"# hadolint ignore={rule}",
    ]


def install_lines(plan: InstallPlan) -> list[str]:
    body = {"apt": _apt, "zypper": _zypper, "rpm": _rpm, "static": _static}[plan.method](plan)
    return [*_prelude(plan), *body, *_finish()]


def _prelude(plan: InstallPlan) -> list[str]:
    lines = [
        "set -eu;",
        ". /etc/os-release;",
        f'if [ -n "${{OS_DISTRIBUTION:-}}" ] && [ "$OS_DISTRIBUTION" != "{plan.distribution}" ];'
        " then",
        "  "
        + fail(
            f"this block was rendered for {plan.distribution} but OS_DISTRIBUTION is "
            "$OS_DISTRIBUTION; run palette-tailscale render again"
        )
        + ";",
        "fi;",
    ]
    if plan.method != "static":
        lines.append('family=" ${ID:-} ${ID_LIKE:-} ";')
    if plan.auto:
        patterns = "|".join(f'*" {name} "*' for name in FAMILIES[plan.method])
        wrong = fail(
            f"rendered for OS_DISTRIBUTION {plan.distribution}, "
            "but the base image's /etc/os-release says ID=${ID:-unknown}"
        )
        lines.append(f'case "$family" in {patterns}) ;; *) {wrong} ;; esac;')
    tool = TOOLS[plan.method]
    lines.append(
        f"command -v {tool} >/dev/null || "
        + fail(f"install method {plan.method} needs {tool} in the base image")
        + ";"
    )
    lines.append("command -v curl >/dev/null || " + fail("the base image has no curl") + ";")
    return lines


def _apt(plan: InstallPlan) -> list[str]:
    package = f"tailscale={plan.version}" if plan.version else "tailscale"
    lines = [
        # The codename comes from the image itself, never from OS_VERSION (§2, §9 flaw 1).
        'case "$family" in *" ubuntu "*) repo=ubuntu; '
        'cn="${UBUNTU_CODENAME:-${VERSION_CODENAME:-}}" ;; '
        '*) repo=debian; cn="${VERSION_CODENAME:-}" ;; esac;',
        '[ -n "$cn" ] || ' + fail("/etc/os-release names no VERSION_CODENAME") + ";",
        f'base="https://pkgs.tailscale.com/{plan.track}/${{repo}}/${{cn}}";',
        "install -d -m 0755 /usr/share/keyrings;",
        f'{CURL} -o /usr/share/keyrings/tailscale-archive-keyring.gpg "${{base}}.noarmor.gpg";',
        f'{CURL} -o /etc/apt/sources.list.d/tailscale.list "${{base}}.tailscale-keyring.list";',
        "apt-get update;",
        f"DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {package};",
    ]
    if plan.version:
        lines.append("apt-mark hold tailscale;")
    return [*lines, "apt-get clean;", "rm -rf /var/lib/apt/lists/*;"]


def _zypper(plan: InstallPlan) -> list[str]:
    package = f"tailscale={plan.version}" if plan.version else "tailscale"
    lines = [
        '[ -n "${VERSION_ID:-}" ] || ' + fail("/etc/os-release names no VERSION_ID") + ";",
        f'base="https://pkgs.tailscale.com/{plan.track}/opensuse/leap/${{VERSION_ID}}";',
        'rpm --import "${base}/repo.gpg";',
        'zypper --non-interactive addrepo --gpgcheck --refresh "${base}/tailscale.repo";',
        "zypper --non-interactive --gpg-auto-import-keys refresh;",
        f"zypper --non-interactive install -y --no-recommends {package};",
    ]
    if plan.version:
        lines.append("zypper --non-interactive addlock tailscale;")
    return [*lines, "zypper clean --all;"]


def _rpm(plan: InstallPlan) -> list[str]:
    package = f"tailscale-{plan.version}" if plan.version else "tailscale"
    lines = [
        '[ -n "${VERSION_ID:-}" ] || ' + fail("/etc/os-release names no VERSION_ID") + ";",
        'major="${VERSION_ID%%.*}";',
        f"{CURL} -o /etc/yum.repos.d/tailscale.repo "
        f'"https://pkgs.tailscale.com/{plan.track}/rhel/${{major}}/tailscale.repo";',
        f"dnf install -y {package};",
    ]
    if plan.version:
        # A global exclude holds the pin without the versionlock plugin, which bases lack.
        lines.append("echo 'exclude=tailscale' >> /etc/dnf/dnf.conf;")
    return [*lines, "dnf clean all;", "rm -rf /var/cache/dnf;"]


def _static(plan: InstallPlan) -> list[str]:
    url = f"https://pkgs.tailscale.com/{plan.track}/tailscale_{plan.version}_{plan.arch}.tgz"
    return [
        'tmp="$(mktemp -d)";',
        f'{CURL} -o "${{tmp}}/tailscale.tgz" "{url}";',
        f'echo "{plan.sha256}  ${{tmp}}/tailscale.tgz" | sha256sum -c -;',
        'tar -xzf "${tmp}/tailscale.tgz" -C "${tmp}" --strip-components=1;',
        # Not /usr/local: Kairos mounts the persistent partition there (§2 "Constraints").
        'install -D -m 0755 "${tmp}/tailscale" /usr/bin/tailscale;',
        'install -D -m 0755 "${tmp}/tailscaled" /usr/sbin/tailscaled;',
        'install -D -m 0644 "${tmp}/systemd/tailscaled.service" '
        "/etc/systemd/system/tailscaled.service;",
        'install -D -m 0644 "${tmp}/systemd/tailscaled.defaults" /etc/default/tailscaled;',
        'rm -rf "${tmp}";',
    ]


def _finish() -> list[str]:
    return [
        "test -x /usr/sbin/tailscaled;",
        "test -x /usr/bin/tailscale;",
        # Enabled, never started: a daemon running at build time would bake state (§2).
        "systemctl enable tailscaled;",
        "rm -rf /var/lib/tailscale /var/cache/tailscale;",
        "install -d -m 0700 /var/lib/tailscale",
    ]
