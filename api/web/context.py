"""What every request shares: the store, the staff directory, tokens, and the running jobs."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID, uuid4

from argon2 import PasswordHasher

from api.bootstrap import Asiento
from api.web.security import LoginThrottle, TokenSigner
from api.web.staff_accounts import StaffAccounts

T = TypeVar("T")
SECRET_ENV = "ASIENTO_SECRET_KEY"


@dataclass(frozen=True)
class WebSettings:
    secret: bytes
    session_lifetime_s: int = 8 * 3600  # one working day
    api_token_lifetime_s: int = 3600
    secure_cookies: bool = False  # True behind HTTPS
    generated_secret: bool = False

    @classmethod
    def from_env(cls) -> WebSettings:
        """Without ASIENTO_SECRET_KEY a random secret is drawn: sessions end when the server restarts."""
        configured = os.environ.get(SECRET_ENV, "")
        if configured and len(configured) < 32:
            raise ValueError(f"{SECRET_ENV} debe tener al menos 32 caracteres")
        secure = os.environ.get("ASIENTO_SECURE_COOKIES", "").lower() == "true"
        if configured:
            return cls(configured.encode(), secure_cookies=secure)
        return cls(secrets.token_bytes(32), secure_cookies=secure, generated_secret=True)


@dataclass
class Job:
    """A long command (a billing run) running in the background, watched by polling."""

    id: UUID
    kind: str
    started_by: str
    total: int
    done: int = 0
    state: str = "running"  # running, finished, failed
    result: dict[str, object] = field(default_factory=dict)
    error: str | None = None


class WebContext:
    def __init__(
        self,
        asiento: Asiento,
        settings: WebSettings,
        hasher: PasswordHasher | None = None,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.asiento = asiento
        self.settings = settings
        self.staff = StaffAccounts(asiento.app, hasher)
        self.signer = TokenSigner(settings.secret)
        self.throttle = throttle or LoginThrottle()
        self.jobs: dict[UUID, Job] = {}
        # One command at a time: SQLite has one writer, and the projection runner must not
        # process the same page twice from two threads.
        self._write_lock = threading.RLock()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._write_lock:
            yield
            self.asiento.runner.catch_up()

    def command(self, run: Callable[[], T]) -> T:
        """Run a command, then bring the read models up to date before answering."""
        with self.writing():
            return run()

    def start_job(self, kind: str, started_by: str, total: int, work: Callable[[Job], None]) -> Job:
        job = Job(uuid4(), kind, started_by, total)
        self.jobs[job.id] = job

        def run() -> None:
            try:
                with self.writing():
                    work(job)
                job.state = "finished"
            except Exception as exc:  # the job reports any failure instead of dying silently
                job.state = "failed"
                job.error = getattr(exc, "message", None) or str(exc)

        threading.Thread(target=run, name=f"job-{job.id}", daemon=True).start()
        return job
