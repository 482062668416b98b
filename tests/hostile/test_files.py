"""Hostile file contents for every command that reads a file: configs, inventories, secrets,
files to lint (and standard input), a CanvOS checkout's files, the provisioning journal.

Each example is a batch of cases (the fork server runs two at a time); hypothesis draws the
contents from :mod:`.strategies` and is derandomized, so a run is repeatable.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import commands, strategies
from .runner import Case, Zygote, check_all, run_all

BATCH = 12
SETTINGS = settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
_counter = itertools.count()


def _workdir(base: Path) -> Path:
    workdir = base / f"case-{next(_counter)}"
    commands.prepare_workdir(workdir)
    return workdir


def _bytes(item: str | bytes) -> bytes:
    return item if isinstance(item, bytes) else item.encode("utf-8", "surrogatepass")


contents = st.lists(st.one_of(strategies.config_texts, strategies.file_contents), min_size=BATCH,
                    max_size=BATCH)  # fmt: skip

CONFIG_READERS = [
    ["render", "-o", "out"],
    ["render", "--check", "-o", "out"],
    ["render", "--canvos", "canvos"],
    ["fleet", "render", "-o", "out"],
    ["build", "--canvos", "canvos", "--dry-run"],
    ["keys", "list"],
    ["keys", "create", "-o", "k"],
    ["devices", "list"],
    ["fleet", "status"],
    ["fleet", "provision", "-o", "out"],
    ["fleet", "revoke-unused", "-o", "out"],
]


@SETTINGS
@given(texts=contents)
def test_config_files(zygote: Zygote, tmp_path_factory: object, texts: list[str | bytes]) -> None:
    base = tmp_path_factory.mktemp("config")  # type: ignore[attr-defined]
    batch = []
    for i, text in enumerate(texts):
        workdir = _workdir(base)
        (workdir / "c.yaml").write_bytes(_bytes(text))
        argv = CONFIG_READERS[i % len(CONFIG_READERS)]
        batch.append(Case([*argv[:-2], "-c", "c.yaml", *argv[-2:]], workdir))
    check_all(run_all(zygote, batch))


def _inventory_config(name: str) -> str:
    return f"version: 1\ntailscale:\n  tags: [tag:edge]\nhosts: {{from: {name}}}\n"


inventories = st.one_of(
    strategies.file_contents,
    st.lists(
        st.lists(st.one_of(st.text(max_size=12), strategies.control_text, strategies.key_shaped),
                 max_size=5), max_size=6,
    ).map(lambda rows: "name,site,tags,project,serial,palette_tag.x\n" + "\n".join(
        ",".join(r) for r in rows)),
)  # fmt: skip


@SETTINGS
@given(texts=st.lists(inventories, min_size=BATCH, max_size=BATCH))
def test_inventory_files(
    zygote: Zygote, tmp_path_factory: object, texts: list[str | bytes]
) -> None:
    base = tmp_path_factory.mktemp("inventory")  # type: ignore[attr-defined]
    readers = [["fleet", "render", "-o", "out"], ["render", "-o", "out"], ["fleet", "status"]]
    batch = []
    for i, text in enumerate(texts):
        workdir = _workdir(base)
        name = "hosts.csv" if i % 2 else "hosts.yaml"
        (workdir / name).write_bytes(_bytes(text))
        (workdir / "palette-tailscale.yaml").write_text(_inventory_config(name))
        batch.append(Case(readers[i % len(readers)], workdir))
    check_all(run_all(zygote, batch))


def test_inventories_of_extreme_shape(zygote: Zygote, tmp_path: Path) -> None:
    readers = [["fleet", "render", "-o", "out"], ["render", "-o", "out"], ["fleet", "manifest"]]
    batch = []
    for (label, text), argv in itertools.product(strategies.EXTREME_INVENTORIES.items(), readers):
        workdir = _workdir(tmp_path / label.replace(" ", "-"))
        (workdir / "hosts.csv").write_text(text)
        (workdir / "palette-tailscale.yaml").write_text(_inventory_config("hosts.csv"))
        batch.append(Case(argv, workdir))
    check_all(run_all(zygote, batch))


_PARSABLE = re.compile(r"^.+:\d+:\d+: (error|warning|info) PT\d{3} \S.*$")
_GITHUB = re.compile(r"^::(error|warning|notice) file=.+,line=\d+,col=\d+,title=PT\d{3}::.+$")


@SETTINGS
@given(texts=contents, kind=st.sampled_from(["auto", "site", "installer"]))
def test_lint_files(
    zygote: Zygote, tmp_path_factory: object, texts: list[str | bytes], kind: str
) -> None:
    base = tmp_path_factory.mktemp("lint")  # type: ignore[attr-defined]
    batch = []
    for i, text in enumerate(texts):
        workdir = _workdir(base)
        data = _bytes(text)
        fmt = ("parsable", "github", "json", "sarif", "text")[i % 5]
        if i % 4 == 3:  # standard input
            batch.append(Case(["lint", "--kind", kind, "--format", fmt, "-"], workdir, stdin=data))
        else:
            (workdir / "user-data").write_bytes(data)
            batch.append(Case(["lint", "--kind", kind, "--format", fmt, "user-data"], workdir))
    results = run_all(zygote, batch)
    check_all(results)
    for result in results:  # one finding per line, whatever the file held
        fmt = result.argv[result.argv.index("--format") + 1]
        pattern = {"parsable": _PARSABLE, "github": _GITHUB}.get(fmt)
        if pattern is not None:
            bad = [line for line in result.stdout.splitlines() if not pattern.match(line)]
            assert bad == [], f"{result.argv}: lines that are not one finding each: {bad[:3]}"


@SETTINGS
@given(texts=st.lists(strategies.file_contents, min_size=BATCH, max_size=BATCH))
def test_secret_files(zygote: Zygote, tmp_path_factory: object, texts: list[bytes]) -> None:
    base = tmp_path_factory.mktemp("secret")  # type: ignore[attr-defined]
    batch = []
    for i, data in enumerate(texts):
        workdir = _workdir(base)
        (workdir / "secret").write_bytes(data)
        if i % 3 == 0:
            batch.append(Case(["keys", "list", "--api-key-file", "secret"], workdir))
            continue
        where = "palette:\n  registration_token" if i % 3 == 1 else "tailscale:\n  auth_key"
        (workdir / "c.yaml").write_text(f"version: 1\n{where}: {{file: secret}}\n")
        argv = ["render", "-c", "c.yaml", "-o", "out"] if i % 3 == 1 else ["fleet", "render"]
        batch.append(Case([*argv, "-c", "c.yaml"] if argv[0] == "fleet" else argv, workdir))
    check_all(run_all(zygote, batch))


@SETTINGS
@given(
    texts=st.lists(strategies.file_contents, min_size=BATCH, max_size=BATCH),
    target=st.sampled_from(["Dockerfile", "user-data", ".arg"]),
)
def test_checkout_files(
    zygote: Zygote, tmp_path_factory: object, texts: list[bytes], target: str
) -> None:
    base = tmp_path_factory.mktemp("checkout")  # type: ignore[attr-defined]
    batch = []
    for i, data in enumerate(texts):
        workdir = _workdir(base)
        (workdir / "canvos" / target).write_bytes(data)
        argv = (
            ["render", "--canvos", "canvos"]
            if i % 3
            else ["build", "--canvos", "canvos", "--dry-run"]
        )
        batch.append(Case([*argv, "--example"] if i % 2 else argv, workdir))
    check_all(run_all(zygote, batch))


journals = st.one_of(strategies.journal_texts, strategies.journal_texts, strategies.file_contents)


@SETTINGS
@given(texts=st.lists(journals, min_size=BATCH, max_size=BATCH))
def test_journal_files(zygote: Zygote, tmp_path_factory: object, texts: list[bytes]) -> None:
    base = tmp_path_factory.mktemp("journal")  # type: ignore[attr-defined]
    readers = [
        ["fleet", "render", "-o", "out"],
        ["fleet", "provision", "-o", "out"],
        ["fleet", "revoke-unused", "-o", "out"],
    ]
    batch = []
    for i, data in enumerate(texts):
        workdir = _workdir(base)
        (workdir / "out").mkdir()
        (workdir / "out" / "journal.jsonl").write_bytes(data + b"\n" if i % 2 else data)
        batch.append(Case(readers[i % len(readers)], workdir))
    check_all(run_all(zygote, batch))
