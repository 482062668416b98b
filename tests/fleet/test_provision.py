"""Provisioning against an in-memory tailnet: one key per host, resumable at every step."""

from __future__ import annotations

import re
import stat
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from palette_tailscale.config import LoadedConfig
from palette_tailscale.fleet import artifacts, journal, provision
from palette_tailscale.fleet.inventory import load_inventory
from palette_tailscale.fleet.iso import build_iso
from palette_tailscale.fleet.journal import JOURNAL_NAME, fold, read_records

from .conftest import MakeConfig
from .memory import NOW, ApiFailure, Crash, MemoryTailnet

HOSTS = (
    "hosts:\n"
    "  - {name: edge-1, site: s1}\n"
    "  - {name: edge-2, site: s2, tags: [tag:store]}\n"
    "  - {name: edge-3, site: s3}\n"
)


def _run(
    loaded: LoadedConfig, tailnet: MemoryTailnet, out: Path, **options: Any
) -> provision.ProvisionResult:
    hosts = load_inventory(loaded).hosts
    opts = provision.ProvisionOptions(out_dir=out, now=tailnet.now, **options)
    return provision.provision(loaded, hosts, tailnet, opts)


def _assert_fleet_whole(loaded: LoadedConfig, tailnet: MemoryTailnet, out: Path) -> None:
    """One live key per host, carried by its files, which are complete and journalled."""
    names = [h.name for h in load_inventory(loaded).hosts]
    live = tailnet.live_by_description_host()
    assert sorted(live) == sorted(names)
    states = fold(read_records(out / JOURNAL_NAME))
    for name in names:
        (key,) = live[name]
        files = artifacts.paths(out, name)
        user_data = files["user-data"].read_bytes()
        assert tailnet.secrets[key.id].encode() in user_data
        assert files["iso"].read_bytes() == build_iso(user_data)
        assert files["meta-data"].read_bytes() == b""
        current = states[name].current
        assert current is not None and current.key_id == key.id
        assert artifacts.check(out, name, current.files)[0] == "ok"
        assert states[name].orphans() == []
    assert list(out.glob("hosts/*/.*")) == []


def test_first_run_mints_one_key_per_host(make_config: MakeConfig, tmp_path: Path) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    result = _run(loaded, tailnet, out)
    assert [(o.name, o.action) for o in result.outcomes] == [
        ("edge-1", "minted"),
        ("edge-2", "minted"),
        ("edge-3", "minted"),
    ]
    assert tailnet.calls.count("create_key") == 3
    _assert_fleet_whole(loaded, tailnet, out)
    key = tailnet.live_by_description_host()["edge-2"][0]
    assert (key.reusable, key.preauthorized, key.ephemeral) == (False, True, False)
    assert key.tags == ("tag:edge", "tag:store")
    assert key.expires == NOW + timedelta(days=7)
    assert re.fullmatch(r"pt [0-9a-f]{10} edge-2", key.description)


def test_files_with_keys_are_private_and_journal_has_no_secret(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    _run(loaded, tailnet, out)
    files = artifacts.paths(out, "edge-1")
    assert stat.S_IMODE(files["user-data"].stat().st_mode) == 0o600
    assert stat.S_IMODE(files["iso"].stat().st_mode) == 0o600
    assert stat.S_IMODE((out / JOURNAL_NAME).stat().st_mode) == 0o600
    text = (out / JOURNAL_NAME).read_text()
    assert "tskey" not in text
    assert all(secret not in text for secret in tailnet.secrets.values())


def test_second_run_keeps_everything(make_config: MakeConfig, tmp_path: Path) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    _run(loaded, tailnet, out)
    result = _run(loaded, tailnet, out)
    assert {o.action for o in result.outcomes} == {"kept"}
    assert tailnet.calls.count("create_key") == 3
    assert "list_keys" not in tailnet.calls


def test_rotate_mints_new_keys_and_revokes_old_ones(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    _run(loaded, tailnet, out)
    old = {k.id for k in tailnet.live_keys()}
    result = _run(loaded, tailnet, out, rotate=True)
    assert {o.action for o in result.outcomes} == {"rotated"}
    assert all(tailnet.keys[key_id].revoked for key_id in old)
    assert not old & {k.id for k in tailnet.live_keys()}
    _assert_fleet_whole(loaded, tailnet, out)


def test_only_rotates_the_selected_host(make_config: MakeConfig, tmp_path: Path) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    _run(loaded, tailnet, out)
    hosts = load_inventory(loaded).select(("edge-2",))
    opts = provision.ProvisionOptions(out_dir=out, now=NOW, rotate=True)
    result = provision.provision(loaded, hosts, tailnet, opts)
    assert [(o.name, o.action) for o in result.outcomes] == [("edge-2", "rotated")]
    assert tailnet.calls.count("create_key") == 4
    _assert_fleet_whole(loaded, tailnet, out)


def test_changed_config_re_mints_only_changed_hosts(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    tailnet, out = MemoryTailnet(), tmp_path / "out"
    _run(make_config(HOSTS), tailnet, out)
    changed = make_config(HOSTS.replace("tags: [tag:store]", "tags: [tag:lyon]"))
    result = _run(changed, tailnet, out)
    assert [(o.name, o.action, o.message) for o in result.outcomes] == [
        ("edge-1", "kept", ""),
        ("edge-2", "rotated", "config changed"),
        ("edge-3", "kept", ""),
    ]
    _assert_fleet_whole(changed, tailnet, out)


def test_damaged_iso_is_rebuilt_without_a_new_key(make_config: MakeConfig, tmp_path: Path) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    _run(loaded, tailnet, out)
    artifacts.paths(out, "edge-3")["iso"].write_bytes(b"garbage")
    result = _run(loaded, tailnet, out)
    assert [o.action for o in result.outcomes] == ["kept", "kept", "repaired"]
    assert tailnet.calls.count("create_key") == 3
    _assert_fleet_whole(loaded, tailnet, out)


def test_lost_user_data_means_a_new_key_and_the_old_one_revoked(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    _run(loaded, tailnet, out)
    (old,) = tailnet.live_by_description_host()["edge-1"]
    artifacts.paths(out, "edge-1")["user-data"].unlink()
    result = _run(loaded, tailnet, out)
    assert result.outcomes[0].action == "rotated"
    assert tailnet.keys[old.id].revoked
    _assert_fleet_whole(loaded, tailnet, out)


def test_expired_keys_are_replaced(make_config: MakeConfig, tmp_path: Path) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    _run(loaded, tailnet, out)
    tailnet.now = NOW + timedelta(days=7)
    result = _run(loaded, tailnet, out)
    assert {(o.action, o.message) for o in result.outcomes} == {("minted", "key expired")}
    assert len(tailnet.live_keys()) == 3


def test_api_failure_fails_the_host_not_the_run(make_config: MakeConfig, tmp_path: Path) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    calls = {"n": 0}

    def hook(name: str) -> None:
        if name == "create_key":
            calls["n"] += 1
            if calls["n"] == 2:
                raise ApiFailure("403 tag:store not owned")

    tailnet.hook = hook
    result = _run(loaded, tailnet, out, concurrency=1)
    assert sorted(o.action for o in result.outcomes) == ["failed", "minted", "minted"]
    (failed,) = result.failed
    assert failed.message == "403 tag:store not owned"
    tailnet.hook = None
    again = _run(loaded, tailnet, out)
    assert {o.name: o.action for o in again.outcomes if o.action != "kept"} == {
        failed.name: "minted"
    }
    _assert_fleet_whole(loaded, tailnet, out)


def test_key_description_fits_tailscale_rules() -> None:
    for name in ("a", "edge-1", "x" * 63):
        description = provision.key_description(name)
        assert re.fullmatch(r"[A-Za-z0-9 -]{1,50}", description)
    assert provision.key_description("h") != provision.key_description("h")


# --- crash and resume at every step boundary ------------------------------------------------


class _Death:
    """Kills the run at the n-th event of one kind; after that nothing may happen."""

    def __init__(self, kind: str, at: int, torn: bool = False) -> None:
        self.kind, self.at, self.torn = kind, at, torn
        self.seen = 0
        self.dead = False
        self.lock = threading.RLock()  # held around each journal write and file write

    def event(self, kind: str, last_words: Callable[[], None] | None = None) -> None:
        """Count the event; the fatal one first runs ``last_words`` (a half-done write)."""
        with self.lock:
            if not self.dead and kind == self.kind:
                self.seen += 1
                if self.seen == self.at:
                    self.dead = True
                    if last_words is not None:
                        last_words()
            if self.dead:
                raise Crash(kind)


def _install(death: _Death, tailnet: MemoryTailnet, monkeypatch: pytest.MonkeyPatch) -> None:
    append = journal.Journal.append
    put = artifacts._put

    def dying_append(self: journal.Journal, event: str, host: str, **fields: Any) -> None:
        def torn() -> None:  # half a record, as a kill in the middle of the write leaves it
            if death.torn:
                with open(self.path, "ab") as fh:
                    fh.write(b'{"v":1,"event":"' + event.encode())

        with death.lock:  # a record is written whole before a kill, or not at all
            death.event("append", torn)
            append(self, event, host, **fields)

    def dying_put(path: Path, data: bytes, mode: int) -> None:
        with death.lock:
            death.event("write", lambda: path.write_bytes(data[: len(data) // 2]))
            put(path, data, mode)

    monkeypatch.setattr(journal.Journal, "append", dying_append)
    monkeypatch.setattr(artifacts, "_put", dying_put)
    tailnet.hook = lambda name: death.event(name) if name != "list_keys" else None


# A clean run of 3 hosts: 9 journal appends, 9 file writes, 3 key creations.
CRASH_POINTS = (
    [pytest.param("append", n, False, id=f"append-{n}") for n in range(1, 10)]
    + [pytest.param("append", n, True, id=f"torn-append-{n}") for n in range(1, 10)]
    + [pytest.param("write", n, False, id=f"write-{n}") for n in range(1, 10)]
    + [pytest.param("create_key", n, False, id=f"before-create-{n}") for n in range(1, 4)]
    + [pytest.param("create_key:after", n, False, id=f"after-create-{n}") for n in range(1, 4)]
)


@pytest.mark.parametrize(("kind", "at", "torn"), CRASH_POINTS)
@pytest.mark.parametrize("rotate", [False, True], ids=["first-run", "rotate"])
def test_killed_anywhere_then_resumed(
    make_config: MakeConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    at: int,
    torn: bool,
    rotate: bool,
) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    if rotate:
        _run(loaded, tailnet, out)
    death = _Death(kind, at, torn)
    with monkeypatch.context() as patch:
        _install(death, tailnet, patch)
        with pytest.raises(Crash):
            _run(loaded, tailnet, out, concurrency=1, rotate=rotate)
    tailnet.hook = None
    assert death.dead
    result = _run(loaded, tailnet, out)
    assert not result.failed, result.failed
    _assert_fleet_whole(loaded, tailnet, out)
    # Never two live keys for one host, and never more mints than needed to recover.
    assert all(len(keys) == 1 for keys in tailnet.live_by_description_host().values())
    # A kill loses at most the keys in flight: one per worker thread (2 x concurrency 1).
    minted = tailnet.calls.count("create_key")
    assert minted <= (6 if rotate else 3) + 2


def test_intent_without_answer_is_found_by_description(
    make_config: MakeConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key was created on the server but the run died before journalling it."""
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    death = _Death("create_key:after", 1)
    with monkeypatch.context() as patch:
        _install(death, tailnet, patch)
        with pytest.raises(Crash):
            _run(loaded, tailnet, out, concurrency=1)
    tailnet.hook = None
    (orphan,) = tailnet.live_keys()
    _run(loaded, tailnet, out)
    assert tailnet.keys[orphan.id].revoked
    assert "list_keys" in tailnet.calls
    records = read_records(out / JOURNAL_NAME)
    assert {"event": "revoked", "key_id": orphan.id, "reason": "secret lost"}.items() <= next(
        r for r in records if r["event"] == "revoked"
    ).items()
    _assert_fleet_whole(loaded, tailnet, out)


def test_concurrent_runs_share_nothing_but_the_journal_lock(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"
    with journal.Journal(out / JOURNAL_NAME), pytest.raises(Exception, match="in use"):
        _run(loaded, tailnet, out)
    assert tailnet.calls == []


def test_many_hosts_in_parallel(make_config: MakeConfig, tmp_path: Path) -> None:
    hosts = "hosts:\n" + "".join(f"  - {{name: edge-{i}}}\n" for i in range(40))
    loaded, tailnet, out = make_config(hosts), MemoryTailnet(), tmp_path / "out"
    result = _run(loaded, tailnet, out, concurrency=8)
    assert len(result.outcomes) == 40 and not result.failed
    _assert_fleet_whole(loaded, tailnet, out)
    assert result.revoked == ()


def test_unknown_outcome_is_cleaned_up_in_the_same_run(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    """The server made the key but the answer was lost: the run revokes it before it ends."""
    loaded, tailnet, out = make_config(HOSTS), MemoryTailnet(), tmp_path / "out"

    def hook(name: str) -> None:
        if name == "create_key:after" and tailnet.calls.count("create_key") == 1:
            raise ApiFailure("connection reset; the key may or may not exist")

    tailnet.hook = hook
    result = _run(loaded, tailnet, out, concurrency=1)
    assert sorted(o.action for o in result.outcomes) == ["failed", "minted", "minted"]
    (failed,) = result.failed
    (lost,) = [k for k in tailnet.keys.values() if k.description.endswith(failed.name)]
    assert lost.revoked and result.revoked == (lost.id,)
    tailnet.hook = None
    _run(loaded, tailnet, out)
    _assert_fleet_whole(loaded, tailnet, out)
