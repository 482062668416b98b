"""The Palette client against the fake tenant: tokens, projects, edge hosts, paging."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from palette_tailscale.palette import Project
from palette_tailscale.tailnet import AuthError, MissingCredentials, NotFound, RequestRejected

from .conftest import Env, open_env, settings_for


def test_requests_carry_the_api_key_header_and_no_authorization(pal: Env) -> None:
    pal.client.list_tokens()
    (req,) = pal.fake.requests
    assert req.headers["apikey"] == pal.fake.api_key
    assert "authorization" not in req.headers and "projectuid" not in req.headers


def test_a_wrong_key_is_an_auth_error_naming_where_the_key_came_from(pal: Env) -> None:
    pal.fake.api_key = "rotated-key-0000"
    with pytest.raises(AuthError, match="check PALETTE_API_KEY") as info:
        pal.client.list_tokens()
    assert info.value.exit_code == 2


def test_no_key_is_missing_credentials() -> None:
    from palette_tailscale.palette import PaletteSettings, connect_palette

    with pytest.raises(MissingCredentials, match="PALETTE_API_KEY") as info:
        connect_palette(PaletteSettings())
    assert info.value.exit_code == 2


def test_list_tokens_reads_every_field(pal: Env) -> None:
    retail = pal.fake.state.add_project("Retail")
    expiry = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    made = pal.fake.state.add_token("stores", retail, expiry=expiry, active=False)
    (token,) = pal.client.list_tokens()
    assert (token.uid, token.name, token.active, token.expiry) == (
        made.uid,
        "stores",
        False,
        expiry,
    )
    assert token.project == Project(retail, "Retail")
    assert token.value is not None and token.value.reveal() == made.value
    assert made.value not in repr(token)


def test_create_token_in_the_configured_project(pal: Env) -> None:
    when = datetime.now(timezone.utc) + timedelta(days=3)
    created = pal.client.create_token("site-a", pal.fake.default_project, when)
    stored = pal.fake.state.tokens[created.uid]
    assert created.value is not None and created.value.reveal() == stored.value
    assert stored.project_uid == pal.fake.default_project and stored.name == "site-a"
    assert stored.expiry is not None and abs((stored.expiry - when).total_seconds()) < 1
    post = pal.fake.requests[0]
    assert post.json == {
        "metadata": {"name": "site-a"},
        "spec": {
            "defaultProjectUid": pal.fake.default_project,
            "expiry": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        },
    }


def test_the_project_name_is_resolved_once(pal: Env) -> None:
    assert pal.client.project() == Project(pal.fake.default_project, "Default")
    assert pal.client.project() == Project(pal.fake.default_project, "Default")
    assert pal.fake.paths() == ["/v1/dashboard/projects"]
    assert pal.fake.requests[0].json == {"filter": {"name": {"eq": "Default", "ignoreCase": False}}}


def test_an_unknown_project_is_exit_2(pal: Env) -> None:
    with pytest.raises(NotFound, match="no project named 'Nowhere'") as info:
        pal.client.find_project("Nowhere")
    assert info.value.exit_code == 2


def test_a_project_uid_needs_no_lookup() -> None:
    from tests.fakes.palette_server import FakePalette

    with FakePalette() as fake:
        env = open_env(fake, project=None, project_uid=fake.default_project)
        assert env.client.project() == Project(fake.default_project, "")
        assert fake.requests == []


def test_edge_hosts_are_scoped_by_the_project_header(pal: Env) -> None:
    retail = pal.fake.state.add_project("Retail")
    pal.fake.state.add_edge_host("edge-a", pal.fake.default_project)
    pal.fake.state.add_edge_host("edge-b", retail, health="healthy", clusters=["store-1"])
    (found,) = pal.client.list_edge_hosts(retail)
    assert (found.uid, found.health, found.clusters) == ("edge-b", "healthy", ("store-1",))
    assert pal.fake.requests[-1].headers["projectuid"] == retail
    assert pal.client.get_edge_host("edge-a", retail) is None
    assert pal.client.get_edge_host("edge-a", pal.fake.default_project) is not None


@pytest.mark.parametrize("count", [0, 1, 50, 51, 237])
def test_every_edge_host_is_listed_whatever_the_page_count(pal: Env, count: int) -> None:
    for i in range(count):
        pal.fake.state.add_edge_host(f"edge-{i:04d}", pal.fake.default_project)
    hosts = pal.client.list_edge_hosts(pal.fake.default_project)
    assert sorted(h.uid for h in hosts) == [f"edge-{i:04d}" for i in range(count)]
    pages = [r for r in pal.fake.requests if r.path.endswith("/search")]
    assert len(pages) == max(1, -(-count // 50))  # one request per page, none twice
    assert all(r.query["limit"] == ["50"] for r in pages)


@pytest.mark.parametrize("change", ["added", "deleted"])
def test_a_list_that_changes_while_read_is_read_again_by_continue_token(
    pal: Env, change: str
) -> None:
    for i in range(120):
        pal.fake.state.add_edge_host(f"edge-{i:04d}", pal.fake.default_project)
    original = pal.fake._search
    calls = {"n": 0}

    def search_and_change(req, scope):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # right after the first page told the total
            if change == "added":
                pal.fake.state.add_edge_host("edge-late", pal.fake.default_project)
            else:  # the later pages shift by one: read by offset, one host would be missed
                del pal.fake.state.edge_hosts["edge-0000"]
        return original(req, scope)

    pal.fake._search = search_and_change  # type: ignore[method-assign]
    hosts = pal.client.list_edge_hosts(pal.fake.default_project)
    assert sorted(h.uid for h in hosts) == sorted(pal.fake.state.edge_hosts)
    assert any("continue" in r.query for r in pal.fake.requests)


def test_register_edge_host_sends_uid_name_labels_and_arch(pal: Env) -> None:
    uid = pal.client.register_edge_host(
        "edge-1",
        name="edge-1",
        labels={"city": "paris"},
        arch="arm64",
        project_uid=pal.fake.default_project,
    )
    assert uid == "edge-1"
    host = pal.fake.state.edge_hosts["edge-1"]
    assert (host.labels, host.arch, host.project_uid) == (
        {"city": "paris"},
        "arm64",
        pal.fake.default_project,
    )
    with pytest.raises(RequestRejected) as info:
        pal.client.register_edge_host(
            "edge-1", name="edge-1", labels={}, arch="amd64", project_uid=None
        )
    assert info.value.status == 409


def test_settings_and_client_reprs_hold_no_key(pal: Env) -> None:
    settings = settings_for(pal.fake)
    for text in (repr(settings), str(settings), repr(pal.client), repr(pal.client.http.auth)):
        assert pal.fake.api_key not in text
