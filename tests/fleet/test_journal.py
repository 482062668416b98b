"""The provisioning journal: durable appends, torn-line tolerance, the fold into host states."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path

import pytest

from palette_tailscale.errors import InputError
from palette_tailscale.fleet.journal import Journal, fold, read_records


def _lines(*records: dict[str, object]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def test_append_is_durable_and_private(tmp_path: Path) -> None:
    path = tmp_path / "out" / "journal.jsonl"
    with Journal(path) as journal:
        journal.append("intent", "edge-1", description="pt 0a edge-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_records(path) == [
        {"v": 1, "event": "intent", "host": "edge-1", "description": "pt 0a edge-1"}
    ]


@pytest.mark.parametrize("torn", [b"{", b'{"v":1,"event":"minted","host":"edge-1","key', b"   "])
def test_torn_last_line_is_ignored_then_cut(tmp_path: Path, torn: bytes) -> None:
    path = tmp_path / "journal.jsonl"
    first = {"v": 1, "event": "intent", "host": "edge-1", "description": "d"}
    path.write_bytes(_lines(first) + torn)
    assert read_records(path) == [first]
    with Journal(path) as journal:
        assert journal.records == [first]
        journal.append("intent-cleared", "edge-1", description="d")
    assert path.read_bytes().count(b"\n") == 2
    assert [r["event"] for r in read_records(path)] == ["intent", "intent-cleared"]


WRONG_FIELDS = [
    b'{"v":1,"event":"intent","host":"a"}',
    b'{"v":1,"event":"minted","host":"a","description":"d","key_id":7,"expires":"2026-01-01Z"}',
    b'{"v":1,"event":"written","host":"a","key_id":"k","expires":"soon","files":{},'
    b'"fingerprint":"f"}',
    b'{"v":1,"event":"written","host":"a","key_id":"k","expires":"2026-01-01T00:00:00",'
    b'"files":{},"fingerprint":"f"}',
    b'{"v":1,"event":"written","host":"a","key_id":"k","expires":"2026-01-01T00:00:00Z",'
    b'"files":"x","fingerprint":"f"}',
    b'{"v":1,"event":"revoked","host":["a"],"key_id":"k"}',
    b'{"v":1,"event":7,"host":"a"}',
    b'{"v":1,"event":"palette-registered","host":"a","uid":null,"project":""}',
    b"[" * 100_000 + b"]" * 100_000,
]


@pytest.mark.parametrize("bad", [b"not json", b"[1, 2]", b'{"event": "intent"}', *WRONG_FIELDS])
def test_damaged_middle_line_is_an_error_with_its_line(tmp_path: Path, bad: bytes) -> None:
    path = tmp_path / "journal.jsonl"
    good = {"v": 1, "event": "intent", "host": "a", "description": "d"}
    path.write_bytes(_lines(good) + bad + b"\n" + _lines(good))
    with pytest.raises(
        InputError, match=r"journal.jsonl:2:1: damaged provisioning journal"
    ) as info:
        read_records(path)
    assert info.value.hint == "move the journal away to start over; keys it lists stay valid"


def test_blank_lines_are_skipped_not_the_end(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    first, last = _r("intent", description="d1"), _r("intent", description="d2")
    path.write_bytes(_lines(first) + b"\n  \n" + _lines(last))
    assert read_records(path) == [first, last]


def test_second_writer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path), pytest.raises(InputError, match="another `fleet` run is working"):
        Journal(path)
    with Journal(path) as again:  # the lock is released on close
        assert again.records == []


def test_missing_journal_reads_empty(tmp_path: Path) -> None:
    assert read_records(tmp_path / "nothing.jsonl") == []


def test_journal_never_carries_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.append("minted", "h", description="d", key_id="k1", expires="2026-12-05T00:00:00Z")
    assert b"tskey" not in path.read_bytes()
    assert os.stat(path).st_size > 0


def _r(event: str, **fields: object) -> dict[str, object]:
    return {"v": 1, "event": event, "host": "h", **fields}


WRITTEN = {"expires": "2026-12-05T00:00:00Z", "files": {"user-data": "x"}, "fingerprint": "f"}

FOLDS = [
    pytest.param([_r("intent", description="d1")], None, ["d1"], [], id="intent-open"),
    pytest.param(
        [_r("intent", description="d1"), _r("intent-cleared", description="d1")],
        None,
        [],
        [],
        id="intent-cleared",
    ),
    pytest.param(
        [_r("intent", description="d1"), _r("minted", description="d1", key_id="k1", expires="e")],
        None,
        [],
        ["k1"],
        id="minted-not-written-is-orphan",
    ),
    pytest.param(
        [
            _r("intent", description="d1"),
            _r("minted", description="d1", key_id="k1", expires="e"),
            _r("written", key_id="k1", **WRITTEN),
        ],
        "k1",
        [],
        [],
        id="written",
    ),
    pytest.param(
        [
            _r("written", key_id="k1", **WRITTEN),
            _r("minted", description="d2", key_id="k2", expires="e"),
            _r("written", key_id="k2", **WRITTEN),
        ],
        "k2",
        [],
        ["k1"],
        id="replaced-key-is-orphan-until-revoked",
    ),
    pytest.param(
        [
            _r("written", key_id="k1", **WRITTEN),
            _r("written", key_id="k2", **WRITTEN),
            _r("revoked", key_id="k1", reason="replaced"),
        ],
        "k2",
        [],
        [],
        id="replaced-and-revoked",
    ),
    pytest.param(
        [_r("written", key_id="k1", **WRITTEN), _r("revoked", key_id="k1", reason="unused")],
        None,
        [],
        [],
        id="current-revoked",
    ),
]


@pytest.mark.parametrize(("records", "current", "intents", "orphans"), FOLDS)
def test_fold(
    records: list[dict[str, object]],
    current: str | None,
    intents: list[str],
    orphans: list[str],
) -> None:
    state = fold(records)["h"]  # type: ignore[arg-type]
    assert (state.current.key_id if state.current else None) == current
    assert state.open_intents == intents
    assert state.orphans() == orphans


# --- durability: which writes reach the disk before append() returns ------------------------


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every os.fsync the journal makes, by file size at that moment (what it made durable)."""
    calls: list[int] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        calls.append(os.fstat(fd).st_size)
        real(fd)

    monkeypatch.setattr("palette_tailscale.fleet.journal.os.fsync", fsync)
    return calls


def test_every_synced_append_is_on_disk_before_it_returns(
    tmp_path: Path, fsyncs: list[int]
) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        assert fsyncs == []  # a new, empty journal has nothing to cut
        journal.append("intent", "edge-1", description="d1")
        assert fsyncs == [path.stat().st_size]  # the very first record included
        journal.append("intent", "edge-2", description="d2")
        assert fsyncs[-1] == path.stat().st_size and len(fsyncs) == 2


def test_unsynced_appends_share_the_next_fsync(tmp_path: Path, fsyncs: list[int]) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal(path) as journal:
        journal.append("intent", "a", sync=False, description="d")
        journal.append("intent", "b", sync=False, description="d")
        assert fsyncs == []
        journal.append("intent", "c", description="d")
        assert fsyncs == [path.stat().st_size]  # one fsync covers all three
        # Group commit: a record that an earlier fsync already covered costs no second one.
        journal._sync(2)
        journal._sync(3)  # the very record the last fsync was made for
        assert len(fsyncs) == 1


def test_cutting_a_torn_tail_is_durable(tmp_path: Path, fsyncs: list[int]) -> None:
    path = tmp_path / "journal.jsonl"
    good = _lines({"v": 1, "event": "intent", "host": "h", "description": "d"})
    path.write_bytes(good + b'{"v":1,"ev')
    with Journal(path):
        # The cut is synced before anything else happens: a crash now cannot revive the tail.
        assert fsyncs == [len(good)]
    assert path.read_bytes() == good


def test_an_existing_journal_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b"")
    path.chmod(0o644)
    with Journal(path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_records_are_one_canonical_json_line_each(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "journal.jsonl"
    with Journal(path) as journal:
        journal.append("minted", "edge-1", key_id="k1", description="d", expires="e")
    assert path.read_bytes() == (
        b'{"description":"d","event":"minted","expires":"e","host":"edge-1","key_id":"k1","v":1}\n'
    )


def test_no_file_descriptor_is_left_open(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    before = _open_fds()
    with Journal(path):
        with pytest.raises(InputError) as info:
            Journal(path)  # refused: its descriptor is closed too
        assert str(info.value) == f"{tmp_path} is in use: another `fleet` run is working there"
        assert _open_fds() == before + 2  # the journal and its directory's lock
    assert _open_fds() == before


def test_a_folded_current_key_cannot_be_changed() -> None:
    # States are shared by status, re-mint and revocation: none of them may rewrite history.
    state = fold([_r("written", key_id="k1", **WRITTEN)])["h"]  # type: ignore[arg-type]
    assert state.current is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.current.key_id = "k2"  # type: ignore[misc]


def test_a_revocation_clears_every_trace_of_the_key() -> None:
    records = [
        _r("minted", description="d1", key_id="k1", expires="e"),
        _r("written", key_id="k2", **WRITTEN),
        _r("written", key_id="k3", **WRITTEN),
        _r("revoked", key_id="k1", reason="unused"),
        _r("revoked", key_id="k2", reason="replaced"),
    ]
    state = fold(records)["h"]  # type: ignore[arg-type]
    assert state.revoked == {"k1", "k2"}
    assert state.unfinished == {} and state.superseded == set()
    assert state.current is not None and state.current.key_id == "k3"
