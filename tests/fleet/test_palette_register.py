"""Pre-registration in Palette (`fleet provision --palette`): new, existing, resumed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from palette_tailscale.fleet.journal import JOURNAL_NAME, read_records
from palette_tailscale.fleet.model import FleetHost
from palette_tailscale.fleet.palette_register import Registrar
from palette_tailscale.tailnet import NotFound
from tests.fakes.palette_server import FakePalette, Fault
from tests.palette.conftest import Env, open_env

from .memory import Crash

HOSTS = (
    FleetHost("edge-1", "edge-1", palette_tags=(("city", "paris"),)),
    FleetHost("edge-2", "edge-2", project="Retail"),
    FleetHost("edge-3", "edge-3", serial="SN-3"),
)


@pytest.fixture
def env() -> Iterator[Env]:
    with FakePalette() as fake:
        fake.state.add_project("Retail")
        opened = open_env(fake)
        yield opened
        opened.client.close()


def _events(out: Path) -> list[tuple[str, str]]:
    return [(r["event"], r["host"]) for r in read_records(out / JOURNAL_NAME)]


def _posts(fake: FakePalette, uid: str) -> int:
    return sum(
        1
        for r in fake.requests
        if r.method == "POST" and (r.json or {}).get("metadata", {}).get("uid") == uid
    )


def test_new_hosts_are_registered_in_their_projects(env: Env, tmp_path: Path) -> None:
    done = Registrar(env.client, HOSTS).run(tmp_path, concurrency=1)
    assert [(d.name, d.uid, d.action, d.project) for d in done] == [
        ("edge-1", "edge-1", "registered", "Default"),
        ("edge-2", "edge-2", "registered", "Retail"),
        ("edge-3", "edge-3", "registered", "Default"),
    ]
    state = env.fake.state
    assert state.edge_hosts["edge-1"].labels == {"city": "paris"}
    assert state.edge_hosts["edge-2"].project_uid == state.project_uid("Retail")
    assert state.edge_hosts["edge-3"].project_uid == env.fake.default_project
    assert _events(tmp_path) == [
        ("palette-intent", "edge-1"),
        ("palette-registered", "edge-1"),
        ("palette-intent", "edge-2"),
        ("palette-registered", "edge-2"),
        ("palette-intent", "edge-3"),
        ("palette-registered", "edge-3"),
    ]
    again = Registrar(env.client, HOSTS).run(tmp_path)
    assert [d.action for d in again] == ["kept", "kept", "kept"]
    assert env.fake.paths("POST").count("/v1/edgehosts") == 3


def test_an_existing_edge_host_is_left_alone_and_reported(env: Env, tmp_path: Path) -> None:
    env.fake.state.add_edge_host("edge-1", env.fake.default_project, labels={"mine": "yes"})
    done = Registrar(env.client, HOSTS[:1]).run(tmp_path)
    assert [d.action for d in done] == ["existing"]
    assert env.fake.state.edge_hosts["edge-1"].labels == {"mine": "yes"}
    assert _posts(env.fake, "edge-1") == 0
    assert _events(tmp_path) == [("palette-existing", "edge-1")]
    assert [d.action for d in Registrar(env.client, HOSTS[:1]).run(tmp_path)] == ["existing"]


def test_a_host_created_by_someone_between_look_and_post_is_existing(
    env: Env, tmp_path: Path
) -> None:
    original = env.fake._register

    def racing(req, scope):  # type: ignore[no-untyped-def]
        env.fake.state.add_edge_host("edge-1", env.fake.default_project)
        return original(req, scope)

    env.fake._register = racing  # type: ignore[method-assign]
    assert [d.action for d in Registrar(env.client, HOSTS[:1]).run(tmp_path)] == ["existing"]


class Dying:
    """The client, but the process "dies" around one host's registration: from then on every
    call fails as a dead process would (other worker threads included)."""

    def __init__(self, client: Any, victim: str, *, after_post: bool) -> None:
        self.client, self.victim, self.after_post = client, victim, after_post
        self.dead = False

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.dead:
                raise Crash
            return method(*args, **kwargs)

        return call

    def register_edge_host(self, uid: str, **kwargs: Any) -> str:
        if self.dead:
            raise Crash
        if uid == self.victim and not self.after_post:
            self.dead = True
            raise Crash
        made = self.client.register_edge_host(uid, **kwargs)
        if uid == self.victim:
            self.dead = True
            raise Crash
        return str(made)


@pytest.mark.parametrize("after_post", [True, False], ids=["after-post", "before-post"])
def test_a_run_killed_between_two_hosts_resumes(env: Env, tmp_path: Path, after_post: bool) -> None:
    dying = Dying(env.client, "edge-2", after_post=after_post)
    with pytest.raises(Crash):
        Registrar(dying, HOSTS).run(tmp_path, concurrency=1)  # type: ignore[arg-type]
    assert _events(tmp_path)[-1] == ("palette-intent", "edge-2")
    done = Registrar(env.client, HOSTS).run(tmp_path, concurrency=1)
    # edge-2 is this tool's own either way: never "existing", never posted twice.
    assert [d.action for d in done] == ["kept", "registered", "registered"]
    assert sorted(env.fake.state.edge_hosts) == ["edge-1", "edge-2", "edge-3"]
    assert [_posts(env.fake, uid) for uid in ("edge-1", "edge-2", "edge-3")] == [1, 1, 1]
    assert _events(tmp_path)[-3:] == [
        ("palette-registered", "edge-2"),
        ("palette-intent", "edge-3"),
        ("palette-registered", "edge-3"),
    ]


def test_an_unknown_project_stops_before_any_registration(env: Env) -> None:
    hosts = (*HOSTS, FleetHost("edge-9", "edge-9", project="Nowhere"))
    with pytest.raises(NotFound, match="Nowhere"):
        Registrar(env.client, hosts)
    assert env.fake.state.edge_hosts == {}


def test_a_refusal_fails_that_host_only(env: Env, tmp_path: Path) -> None:
    env.fake.add_fault(Fault("status", method="POST", path="/v1/edgehosts", status=403))
    done = Registrar(env.client, HOSTS).run(tmp_path, concurrency=1)
    assert [d.action for d in done] == ["failed", "registered", "registered"]
    assert "permission denied" in done[0].message
    assert [d.action for d in Registrar(env.client, HOSTS).run(tmp_path)] == [
        "registered",
        "kept",
        "kept",
    ]
