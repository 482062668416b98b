"""``fleet provision``: one single-use key per host, its site user-data and ISO, resumable.

Per host the run appends to the journal, in this order: ``intent`` (the unique description the
key will carry), ``minted`` (key id, expiry), ``written`` (artifact hashes), and ``revoked`` for
every key it retires. A run killed anywhere leaves a journal that says exactly what to do next:

* intent without ``minted``: the key may exist on the server, but its secret is lost. The next
  run lists the keys, revokes any carrying that description, and mints afresh;
* ``minted`` without ``written``: the secret is lost (it only ever lives in the artifacts), so
  that key is revoked and a fresh one minted;
* ``written``: done; the host keeps its key while it is unexpired and the files are intact.

So a host never ends up holding two live keys, except on purpose for the moment between writing a
replacement (``--rotate``, a changed config, damaged files) and revoking the old key.

When the API goes away mid-run, every host would spend its whole retry budget in turn and the run
would not end for hours. So after :data:`UNREACHABLE_STOP` hosts in a row fail because the API
cannot be reached (connection failures, 5xx answers after every retry), no further host is
started: the run ends with the hosts not attempted counted, and the journal resumes from there.
"""

from __future__ import annotations

import contextlib
import secrets as random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Final

from ..config import LoadedConfig
from ..config.models import duration_seconds
from ..errors import GeneratedInvalidError, PaletteTailscaleError
from ..render import steps
from ..tailnet.base import Backend, KeyRequest
from ..tailnet.bulk import UNREACHABLE_STOP  # hosts in a row that could not reach the API
from ..tailnet.errors import ConnectionFailed, ServerError
from . import artifacts
from .durable import GroupSync
from .journal import JOURNAL_NAME, HostState, Journal, fold
from .model import FleetHost
from .plan import HostPlan, fingerprint, plan_host
from .recovery import recover, revoke

DEFAULT_CONCURRENCY: Final = 8


@dataclass(frozen=True, slots=True)
class HostOutcome:
    """What the run did for one host."""

    name: str
    action: str  # minted, rotated, kept, repaired, failed, skipped (not attempted)
    key_id: str | None = None
    expires: str | None = None
    message: str = ""
    unreachable: bool = False  # failed because the API could not be reached


@dataclass(frozen=True, slots=True)
class ProvisionResult:
    outcomes: tuple[HostOutcome, ...]
    revoked: tuple[str, ...]  # key ids retired (orphans, superseded keys)
    stopped: str | None = None  # why the run stopped early (the API could not be reached)

    @property
    def failed(self) -> tuple[HostOutcome, ...]:
        return tuple(o for o in self.outcomes if o.action == "failed")

    @property
    def skipped(self) -> tuple[HostOutcome, ...]:
        return tuple(o for o in self.outcomes if o.action == "skipped")


@dataclass(frozen=True, slots=True)
class ProvisionOptions:
    out_dir: Path
    concurrency: int = DEFAULT_CONCURRENCY
    rotate: bool = False
    now: datetime | None = None


Progress = Callable[[HostOutcome], None]


def provision(
    loaded: LoadedConfig,
    hosts: tuple[FleetHost, ...],
    backend: Backend,
    options: ProvisionOptions,
    on_host: Progress | None = None,
) -> ProvisionResult:
    """Mint, render and write every host that needs it; see the module docstring."""
    now = options.now or datetime.now(timezone.utc)
    with Journal(options.out_dir / JOURNAL_NAME) as journal:
        artifacts.check_folders(options.out_dir, [host.name for host in hosts])
        artifacts.remove_temp_files(options.out_dir)
        revoked = recover(journal, backend)
        if hosts:  # a config the renderer or the linter rejects stops the run before any mint
            fingerprint(loaded, hosts[0])
        durable = GroupSync(options.out_dir)
        worker = _Worker(loaded, backend, journal, options, now, on_host, durable)
        try:
            outcomes = _run_all(worker, hosts, options.concurrency)
        finally:
            durable.close()
        if worker.breaker.tripped is None:  # else the API is gone: the next run recovers
            revoked += recover(journal, backend)  # keys minted with an unknown outcome
    return ProvisionResult(tuple(outcomes), tuple(revoked), worker.breaker.stop_reason(outcomes))


def _run_all(worker: _Worker, hosts: tuple[FleetHost, ...], concurrency: int) -> list[HostOutcome]:
    """Every host on the pool; on Ctrl-C or SIGTERM no further host starts."""
    # Hosts are planned inside the workers, so planning overlaps with minting.
    pool = ThreadPoolExecutor(max_workers=2 * max(1, concurrency))
    try:
        return list(pool.map(worker.run, hosts))
    except BaseException:
        worker.breaker.stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


class _Breaker:
    """Stops the run after ``limit`` hosts in a row failed because the API was unreachable."""

    def __init__(self, limit: int = UNREACHABLE_STOP) -> None:
        self.limit = limit
        self.stop = threading.Event()
        self.tripped: str | None = None  # the last failure's message once stopped
        self._row = 0
        self._lock = threading.Lock()

    def record(self, outcome: HostOutcome) -> None:
        with self._lock:
            if not outcome.unreachable:  # the API answered (or the host failed otherwise)
                self._row = 0
                return
            self._row += 1
            if self._row >= self.limit and self.tripped is None:
                self.tripped = outcome.message
                self.stop.set()

    def stop_reason(self, outcomes: list[HostOutcome]) -> str | None:
        if self.tripped is None:
            return None
        left = sum(1 for o in outcomes if o.action == "skipped")
        return (
            f"stopped: {self.limit} hosts in a row could not reach the API "
            f"(last: {self.tripped}); {left} host{'s' if left != 1 else ''} not attempted; "
            "run `fleet provision` again to resume"
        )


class _Worker:
    def __init__(
        self,
        loaded: LoadedConfig,
        backend: Backend,
        journal: Journal,
        options: ProvisionOptions,
        now: datetime,
        on_host: Progress | None,
        durable: GroupSync,
    ) -> None:
        self.loaded, self.backend, self.journal = loaded, backend, journal
        self.options, self.now, self.on_host = options, now, on_host
        # At most `concurrency` requests in flight; twice as many threads, so that writing one
        # host's files never leaves an API slot idle.
        self.api_slots = threading.BoundedSemaphore(max(1, options.concurrency))
        self.durable = durable
        self.states = fold(journal.records)
        self.breaker = _Breaker()

    def run(self, host: FleetHost) -> HostOutcome:
        if self.breaker.stop.is_set():
            return HostOutcome(host.name, "skipped", message="not attempted")
        try:
            state = self.states.get(host.name, HostState())
            outcome = self._run(plan_host(self.loaded, host, state, self.options, self.now))
        except GeneratedInvalidError:
            raise
        except PaletteTailscaleError as exc:
            gone = isinstance(exc, (ConnectionFailed, ServerError))
            outcome = HostOutcome(host.name, "failed", message=str(exc), unreachable=gone)
        except OSError as exc:
            where = exc.filename2 or exc.filename
            why = exc.strerror or type(exc).__name__
            message = f"cannot write {where}: {why}" if where else f"cannot write: {why}"
            outcome = HostOutcome(host.name, "failed", message=message)
        self.breaker.record(outcome)
        if self.on_host is not None:
            self.on_host(outcome)
        return outcome

    def _run(self, plan: HostPlan) -> HostOutcome:
        name = plan.host.name
        if plan.action == "keep":
            assert plan.current is not None
            return HostOutcome(name, "kept", plan.current.key_id, plan.current.expires)
        if plan.action == "repair":
            assert plan.current is not None and plan.user_data is not None
            made = artifacts.HostArtifacts.from_user_data(plan.user_data)
            artifacts.write(self.options.out_dir, name, made, secret=True)
            self.durable.wait()
            return HostOutcome(name, "repaired", plan.current.key_id, plan.current.expires)
        return self._mint(plan)

    def _mint(self, plan: HostPlan) -> HostOutcome:
        host, journal = plan.host, self.journal
        description = key_description(host.name)
        journal.append("intent", host.name, description=description)
        with self.api_slots:
            created = self.backend.create_key(_request(self.loaded, host, description))
        expires = _expiry(created.info.expires, self.now, self.loaded)
        # Not synced on its own: "written" (synced) follows, and without this record the next
        # run still finds the key through its description.
        journal.append(
            "minted",
            host.name,
            sync=False,
            description=description,
            key_id=created.info.id,
            expires=expires,
        )
        try:
            made = artifacts.HostArtifacts.from_user_data(plan.render(created.key))
            artifacts.write(self.options.out_dir, host.name, made, secret=True)
            self.durable.wait()
        except BaseException:
            # Best effort: if this fails too, the next run revokes the key from the journal.
            with contextlib.suppress(PaletteTailscaleError):
                revoke(journal, self.backend, host.name, created.info.id, reason="not written")
            raise
        journal.append(
            "written",
            host.name,
            key_id=created.info.id,
            expires=expires,
            files=made.digests(),
            fingerprint=plan.fingerprint,
        )
        if plan.current is not None:
            revoke(journal, self.backend, host.name, plan.current.key_id, reason="replaced")
        action = "rotated" if plan.current is not None else "minted"
        return HostOutcome(host.name, action, created.info.id, expires, plan.reason)


def key_description(name: str) -> str:
    """Unique per mint, within Tailscale's 50 characters of [A-Za-z0-9 -]: ``pt NONCE NAME``."""
    return f"pt {random.token_hex(5)} {name}"[:50].rstrip(" -") or "pt"


def key_tags(loaded: LoadedConfig, host: FleetHost) -> tuple[str, ...]:
    return tuple(steps.host_tags(loaded.config.tailscale, host.tags))


def _request(loaded: LoadedConfig, host: FleetHost, description: str) -> KeyRequest:
    policy = loaded.config.tailscale.key
    # A per-host key is single-use whatever the policy says: reuse would defeat its purpose.
    return KeyRequest(
        reusable=False,
        ephemeral=policy.ephemeral,
        preauthorized=policy.preauthorized,
        tags=key_tags(loaded, host),
        expiry_seconds=duration_seconds(policy.expiry),
        description=description,
    )


def _expiry(expires: datetime | None, now: datetime, loaded: LoadedConfig) -> str:
    if expires is None:
        expires = now + timedelta(seconds=duration_seconds(loaded.config.tailscale.key.expiry))
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=timezone.utc)
    return expires.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
