"""A cloud-init key that yip's cloud-init loader does not know: Kairos ignores it silently.

Kairos is not cloud-init. yip reads a ``#cloud-config`` file with a small cloud-init loader that
maps only these keys (mudler/yip ``pkg/schema/cloudinit/config.go``, ``CloudConfig``):

* ``ssh_authorized_keys``, ``hostname``, ``runcmd`` (run in the ``boot`` stage), ``growpart``
  (``mode``, ``devices``), ``write_files`` and the legacy ``milpa_files`` (``path``,
  ``content``, ``owner``, ``encoding``, ``permissions``);
* ``users``: a list of ``name``, ``passwd``, ``ssh_authorized_keys``, ``gecos``, ``homedir``,
  ``no_create_home``, ``primary_group``, ``groups``, ``no_user_group``, ``system``,
  ``no_log_init``, ``shell``, ``lock_passwd``, ``uid`` (and the deprecated
  ``coreos_ssh_import_*``).

Every other cloud-init key decodes into nothing, without a warning: ``packages``, ``apt``,
``package_update``/``package_upgrade`` (a Tailscale recipe written for Ubuntu's cloud-init never
installs Tailscale on Kairos), ``bootcmd``, ``chpasswd``, ``ssh_pwauth``, ``timezone``,
``mounts``..., and in a user ``sudo`` (no sudo rule is written; Kairos grants sudo to the
``admin`` group) or ``plain_text_passwd``. Install software in the image (the CanvOS
``Dockerfile``) and use stage steps for the rest. The rule checks files yip reads with its
cloud-init loader; in a file without the header PT041 reports these keys.

Source: mudler/yip ``pkg/schema/cloudinit/config.go`` and ``pkg/schema/loader_cloudinit.go``;
kairos-io/kairos ``kairos-init/pkg/bundled/cloudconfigs/10_accounting.yaml`` (``%admin``).

Bad::

    #cloud-config
    packages:
      - tailscale
    users:
      - name: ops
        groups: [admin]
        sudo: ALL=(ALL) NOPASSWD:ALL

Good::

    #cloud-config
    users:
      - name: ops
        groups: [admin]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ...yamlio import Map, Node, Seq
from ..context import Context, Hit
from ..kinds import header_line
from ..problem import Level
from ..schema import CLOUD_FILE, CLOUD_INIT, CLOUD_USER

ID = "PT042"
LEVEL: Level = "warning"
SUMMARY = "cloud-init key that yip's cloud-init loader ignores (packages, apt, users[].sudo...)"

# cloud-init's modules (cloudinit/config/schemas/schema-cloud-config-v1.json), less the keys
# yip maps and the ones Kairos itself reads.
CLOUD_INIT_KEYS: Final = frozenset({
    "ansible", "apk_repos", "apt", "apt_pipelining", "autoinstall", "bootcmd", "byobu_by_default",
    "ca_certs", "ca-certs", "chef", "chpasswd", "create_hostname_file", "device_aliases",
    "disable_ec2_metadata", "disable_root", "disable_root_opts", "disk_setup", "drivers", "fan",
    "final_message", "fqdn", "fs_setup", "groups", "keyboard", "landscape", "locale",
    "locale_configfile", "lxd", "manage_etc_hosts", "manage_resolv_conf", "mcollective",
    "merge_how", "mount_default_fields", "mounts", "no_ssh_fingerprints", "ntp", "output",
    "package_reboot_if_required", "package_update", "package_upgrade", "packages", "password",
    "phone_home", "power_state", "prefer_fqdn_over_hostname", "preserve_hostname", "puppet",
    "random_seed", "resize_rootfs", "resolv_conf", "rh_subscription", "rsyslog", "salt_minion",
    "snap", "spacewalk", "ssh", "ssh_deletekeys", "ssh_fp_console_blacklist", "ssh_genkeytypes",
    "ssh_import_id", "ssh_key_console_blacklist", "ssh_keys", "ssh_publish_hostkeys",
    "ssh_pwauth", "ssh_quiet_keygen", "swap", "timezone", "ubuntu_advantage", "ubuntu_pro",
    "updates", "user", "vendor_data", "wireguard", "yum_repo_dir", "yum_repos", "zypper",
})  # fmt: skip
INSTALLS: Final = frozenset({"packages", "package_update", "package_upgrade",
                             "package_reboot_if_required", "apt", "yum_repos", "snap", "zypper",
                             "apk_repos"})  # fmt: skip
NESTED: Final[dict[str, frozenset[str]]] = {
    "users": frozenset(CLOUD_USER[1]),
    "write_files": frozenset(CLOUD_FILE[1]),
    "milpa_files": frozenset(CLOUD_FILE[1]),
}


def check(ctx: Context) -> Iterator[Hit]:
    # Without a header Kairos reads none of it (PT001, PT041): nothing to say about its keys.
    if not ctx.cloud_init or header_line(ctx.text) is None or not isinstance(ctx.root, Map):
        return
    for key, value in ctx.root.items():
        if key.raw in CLOUD_INIT_KEYS and key.raw not in CLOUD_INIT:
            yield Hit(ctx.at(key), _top(key.raw))
        elif key.raw in NESTED:
            yield from _items(ctx, key.raw, value)


def _top(key: str) -> str:
    effect = (
        "nothing is installed; put the package in the image (CanvOS Dockerfile)"
        if key in INSTALLS
        else "use a stage step instead"
    )
    return (
        f"cloud-init key {key!r} is not one yip's cloud-init loader reads: Kairos ignores it; "
        + effect
    )


def _items(ctx: Context, field: str, value: Node) -> Iterator[Hit]:
    known = NESTED[field]
    for i, item in enumerate(value.items if isinstance(value, Seq) else []):
        if not isinstance(item, Map):
            continue
        for key, _ in item.items():
            if key.raw not in known:
                yield Hit(ctx.at(key), _nested(field, i, key.raw))


def _nested(field: str, index: int, key: str) -> str:
    where = f"{field}[{index}].{key}"
    if field == "users" and key == "sudo":
        return (
            f"{where} is not read by yip's cloud-init loader: no sudo rule is written; "
            "Kairos gives sudo to the admin group (groups: [admin])"
        )
    return f"{where} is not read by yip's cloud-init loader: Kairos ignores it"
