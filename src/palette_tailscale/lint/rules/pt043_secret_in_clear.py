"""A credential other than a Tailscale key in clear: registry password, p2p token, k3s token...

Published user-data often carries secrets besides auth keys: a registry password under
``stylus.registryCredentials``, the Kairos p2p ``network_token``, a ``cluster_token``,
``K3S_TOKEN=...`` or ``--token ...`` in a command, ``subscription-manager register
--password ...``, a ``git.auth.password``. Installer user-data is baked into the ISO and copied
to ``/oem/90_custom.yaml`` on every host; Kairos's datasource copies site user-data to ``/oem``
as it is; yip's debug logs print whole steps; a command line shows in ``ps``. Deliver the
secret from a file written at deployment time (site user-data, a ``skip-copy-`` step where
Palette supports it) or from an environment variable set there. Placeholders (``<password>``,
``$TOKEN``, ``YOUR_TOKEN_GOES_HERE``) are not reported, and messages never show the value.
Tailscale keys are PT013's.

Source: kairos-io/kairos ``agent/pkg/elemental/elemental.go`` (config copied to
``/oem/90_custom.yaml``), ``kairos-init/pkg/bundled/cloudconfigs/00_datasource.yaml`` and
mudler/yip ``pkg/plugins/datasource.go`` (site data written to ``/oem/95_userdata``).

Bad::

    #cloud-config
    stages:
      boot:
        - name: k3s-env
          environment_file: /etc/rancher/k3s/k3s.env
          environment:
            K3S_TOKEN: K10a1b2c3d4e5f6::server:0123456789abcdef

Good::

    #cloud-config
    stages:
      boot:
        - name: k3s-env
          environment_file: /etc/rancher/k3s/k3s.env
          environment:
            K3S_TOKEN_FILE: /usr/local/etc/k3s-token
"""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import Mark
from ...yamlio import Map, Node, Scalar, Seq
from ..context import Context, Hit, Step
from ..credentials import in_shell, key_secret, mentioned, placeholder
from ..problem import Level

ID = "PT043"
LEVEL: Level = "warning"
SUMMARY = "password, p2p network token, k3s or cluster token in clear (not a Tailscale key)"


def check(ctx: Context) -> Iterator[Hit]:
    if not mentioned(ctx.text):
        return
    steps = {id(s.node): s for s in ctx.steps}
    commands = {id(c.node) for c in ctx.commands}
    yield from _walk(ctx, ctx.root, None, (steps, commands))


def _walk(
    ctx: Context, node: Node | None, step: Step | None, index: tuple[dict[int, Step], set[int]]
) -> Iterator[Hit]:
    if isinstance(node, Map):
        step = index[0].get(id(node), step)
        for key, value in node.items():
            what = key_secret(key.raw)
            if what and isinstance(value, Scalar) and value.raw and not placeholder(value.raw):
                yield from _hit(ctx, ctx.at(value), f"{what} ({key.raw})", step, command=False)
            else:
                yield from _walk(ctx, value, step, index)
    elif isinstance(node, Seq):
        for item in node.items:
            yield from _walk(ctx, item, step, index)
    elif isinstance(node, Scalar) and ("=" in node.raw or "--" in node.raw):
        for offset, what in in_shell(node.raw):
            mark = ctx.locate(node, offset)
            for hit in _hit(ctx, mark, what, step, command=id(node) in index[1]):
                yield Hit(hit.mark, hit.message, anchor=node.mark.line)  # block scalars


def _hit(ctx: Context, mark: Mark, what: str, step: Step | None, *, command: bool) -> Iterator[Hit]:
    if step is not None and step.skip_copy and ctx.kind == "site":
        return  # Palette does not copy skip-copy- steps of site data to the host
    where = "in a command, where ps and the logs show it" if command else "in clear"
    yield Hit(
        mark,
        f"{what} {where}: user-data is copied to /oem on every host (and into the ISO); "
        "deliver it from a file or variable set at deployment",
    )
