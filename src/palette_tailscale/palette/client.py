"""The Palette API client: registration tokens, projects and edge hosts over the shared HTTP layer.

Requests go through :class:`~palette_tailscale.tailnet.http.HttpClient`, the one HTTP client of
the tool: the same timeouts, retries (429 with ``Retry-After``, 5xx, lost connections), error
family and redaction as the tailnet's. Palette specifics (``palette-edge-openapi.ORIGIN.md``):
the key travels as the ``ApiKey`` header, and project-scoped calls (edge hosts) carry the
``ProjectUid`` header; registration tokens and the project list are tenant-scoped.

Lists come 50 items a page (the API's maximum). The edge host list is read page by page in
parallel by ``offset`` once the first page has said how many there are; if the total changed
while reading (hosts came or went), it is read again, sequentially, by ``continue`` token.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Final

from ..secrets import Secret
from ..tailnet.errors import BadResponse, MissingCredentials, NotFound
from ..tailnet.factory import Wiring
from ..tailnet.http import Call, HttpClient, segment
from ..tailnet.redaction import register
from . import parse
from .model import EdgeHost, Project, Token
from .settings import KEY_VARIABLE, PaletteSettings

PAGE: Final = 50  # the API's maximum `limit`
DEFAULT_CONCURRENCY: Final = 8
TOKENS: Final = "/v1/edgehosts/tokens"


class ApiKeyAuth:
    """Palette's ``ApiKey: <key>`` header (an :class:`~..tailnet.http.Authenticator`)."""

    def __init__(self, key: Secret) -> None:
        register(key)
        self._key = key

    def headers(self) -> Mapping[str, str]:
        return {"ApiKey": self._key.reveal()}

    def invalidate(self) -> bool:
        return False  # a static key: asking again cannot help

    def __repr__(self) -> str:
        return f"ApiKeyAuth(key={self._key!r})"


def connect_palette(
    settings: PaletteSettings, wiring: Wiring | None = None, *, concurrency: int = 8
) -> PaletteClient:
    """A client for ``settings``; :class:`MissingCredentials` (exit 2) without an API key."""
    if settings.api_key is None:
        raise MissingCredentials(
            f"no Palette API key: set {KEY_VARIABLE}, palette.api_key in the config "
            "({env: NAME} or {file: PATH}), or pass --api-key-file"
        )
    wiring = wiring or Wiring()
    source = settings.api_key.source
    hint = KEY_VARIABLE if KEY_VARIABLE in source else source
    http = HttpClient(
        settings.base_url,
        service="Palette",
        credential_hint=hint,
        auth=ApiKeyAuth(settings.api_key),
        timeouts=settings.timeouts,
        policy=wiring.policy,
        transport=wiring.transport,
        sleep=wiring.sleep,
        max_connections=wiring.max_connections,
    )
    return PaletteClient(http, settings, concurrency=concurrency)


def _scope(project_uid: str | None) -> dict[str, str]:
    return {"ProjectUid": project_uid} if project_uid else {}


class PaletteClient:
    """Operations on one Palette tenant. Every method raises the shared API errors on failure."""

    def __init__(
        self, http: HttpClient, settings: PaletteSettings, *, concurrency: int = DEFAULT_CONCURRENCY
    ) -> None:
        self.http = http
        self.settings = settings
        self.concurrency = max(1, concurrency)
        self._projects: dict[str, Project] = {}

    def __repr__(self) -> str:
        return f"PaletteClient({self.http!r})"

    def close(self) -> None:
        self.http.close()

    # projects

    def find_project(self, name: str) -> Project:
        """The project called ``name`` (exactly); :class:`NotFound` (exit 2) when there is none."""
        if name in self._projects:
            return self._projects[name]
        body = {"filter": {"name": {"eq": name, "ignoreCase": False}}}
        call = Call(f"find project {name!r}", denied="the API key's user cannot list projects")
        answer = self.http.json(
            "POST", "/v1/dashboard/projects", call, params={"limit": PAGE}, json_body=body
        )
        found = [p for p in map(parse.project, parse.items(answer, call.what)) if p.name == name]
        if len(found) != 1:
            known = "no project" if not found else f"{len(found)} projects"
            raise NotFound(f"Palette API: {known} named {name!r}", status=404)
        self._projects[name] = found[0]
        return found[0]

    def project(self) -> Project | None:
        """The configured project: its UID as given, or its name resolved; None when unset."""
        if self.settings.project_uid:
            return Project(self.settings.project_uid, self.settings.project or "")
        if self.settings.project:
            return self.find_project(self.settings.project)
        return None

    # registration tokens (tenant scope)

    def list_tokens(self) -> list[Token]:
        call = Call("list registration tokens", denied="the API key's user cannot read tokens")
        return [parse.token(item) for item in parse.items(self.http.json("GET", TOKENS, call), "")]

    def get_token(self, uid: str) -> Token:
        call = Call(f"read registration token {uid}", not_found=f"no registration token {uid}")
        body = self.http.json("GET", f"{TOKENS}/{segment(uid)}", call)
        if not isinstance(body, dict):
            raise BadResponse(f"Palette API: {call.what}: the answer is not an object")
        return parse.token(body)

    def create_token(self, name: str, project_uid: str, expiry: datetime) -> Token:
        """Create a token whose default project is ``project_uid``; the answer holds its value."""
        body = {
            "metadata": {"name": name},
            "spec": {"defaultProjectUid": project_uid, "expiry": _rfc3339(expiry)},
        }
        call = Call(f"create registration token {name!r}", idempotent=False)
        created = self.http.json("POST", TOKENS, call, json_body=body)
        uid = created.get("uid") if isinstance(created, dict) else None
        if not isinstance(uid, str) or not uid:
            raise BadResponse(f"Palette API: {call.what}: the answer has no uid")
        return self.get_token(uid)

    # edge hosts (project scope)

    def get_edge_host(self, uid: str, project_uid: str | None) -> EdgeHost | None:
        """The edge host ``uid``, or None when the project has none by that UID."""
        call = Call(f"read edge host {uid}")
        try:
            body = self.http.json(
                "GET", f"/v1/edgehosts/{segment(uid)}", call, headers=_scope(project_uid)
            )
        except NotFound:
            return None
        if not isinstance(body, dict):
            raise BadResponse(f"Palette API: {call.what}: the answer is not an object")
        return parse.edge_host(body)

    def register_edge_host(
        self,
        uid: str,
        *,
        name: str,
        labels: Mapping[str, str],
        arch: str,
        project_uid: str | None,
    ) -> str:
        """Pre-register an edge host (``POST /v1/edgehosts``); the UID Palette answered."""
        body: dict[str, Any] = {
            "metadata": {"uid": uid, "name": name, "labels": dict(labels)},
            "spec": {"archType": arch},
        }
        call = Call(f"register edge host {uid}", idempotent=False)
        answer = self.http.json(
            "POST", "/v1/edgehosts", call, json_body=body, headers=_scope(project_uid)
        )
        made = answer.get("uid") if isinstance(answer, dict) else None
        return made if isinstance(made, str) and made else uid

    def list_edge_hosts(self, project_uid: str | None) -> list[EdgeHost]:
        """Every edge host the project has (see the module docstring for the paging)."""
        first = self._page(project_uid, offset=0)
        total = _count(first)
        offsets = range(PAGE, total, PAGE)
        pages = [first]
        if offsets:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(offsets))) as pool:
                pages += list(pool.map(lambda at: self._page(project_uid, offset=at), offsets))
        hosts = _unique(pages)
        if len(hosts) != total:
            hosts = _unique(self._walk(project_uid))
        return list(hosts.values())

    def _page(
        self, project_uid: str | None, *, offset: int = 0, token: str | None = None
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": PAGE}
        if token:
            params["continue"] = token
        elif offset:
            params["offset"] = offset
        body = {"filter": {"conjunction": "and", "filterGroups": []}, "sort": _SORT}
        call = Call("list edge hosts", denied="the API key's user cannot read this project")
        answer = self.http.json(
            "POST",
            "/v1/dashboard/edgehosts/search",
            call,
            params=params,
            json_body=body,
            headers=_scope(project_uid),
        )
        if not isinstance(answer, dict):
            raise BadResponse("Palette API: list edge hosts: the answer is not an object")
        return answer

    def _walk(self, project_uid: str | None) -> list[dict[str, Any]]:
        pages = [self._page(project_uid)]
        while token := _text(_dict(pages[-1].get("listmeta")).get("continue")):
            if len(pages) > 100_000:
                raise BadResponse("Palette API: list edge hosts: the pages never end")
            pages.append(self._page(project_uid, token=token))
        return pages


# A fixed order keeps pages read by offset consistent with each other.
_SORT: Final = [{"field": "creationTimestamp", "order": "asc"}]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _count(page: dict[str, Any]) -> int:
    count = _dict(page.get("listmeta")).get("count")
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 0


def _unique(pages: list[dict[str, Any]]) -> dict[str, EdgeHost]:
    hosts: dict[str, EdgeHost] = {}
    for page in pages:
        for item in parse.items(page, "list edge hosts"):
            host = parse.edge_host(item)
            hosts.setdefault(host.uid, host)
    return hosts


def _rfc3339(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
