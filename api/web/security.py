"""Passwords, signed tokens, CSRF tokens and the login throttle.

Tokens are stateless: ``base64(payload).signature`` with HMAC-SHA256 over the
server's secret. The payload carries a fingerprint of the user's password hash,
so changing a password ends every session and API token issued before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.staff import StaffUser

SESSION_KIND = "session"
API_KIND = "api"


def password_fingerprint(user: StaffUser) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def verify_password(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class TokenClaims:
    username: str
    kind: str
    expires_at: int  # seconds since the epoch
    fingerprint: str


class TokenSigner:
    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 32:
            raise ValueError("the token secret must have at least 32 bytes")
        self._secret = secret
        self._clock = clock

    def _sign(self, body: bytes) -> str:
        digest = hmac.new(self._secret, body, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self, user: StaffUser, kind: str, lifetime_s: int) -> tuple[str, int]:
        expires_at = int(self._clock()) + lifetime_s
        payload = {"u": user.username, "k": kind, "e": expires_at, "f": password_fingerprint(user)}
        body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=")
        return f"{body.decode()}.{self._sign(body)}", expires_at

    def read(self, token: str, kind: str) -> TokenClaims | None:
        """The claims of a genuine, unexpired token of that kind; None otherwise."""
        body, _, signature = token.partition(".")
        if not body or not hmac.compare_digest(self._sign(body.encode()), signature):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            claims = TokenClaims(str(payload["u"]), str(payload["k"]), int(payload["e"]), str(payload["f"]))
        except (ValueError, KeyError, TypeError):
            return None
        if claims.kind != kind or claims.expires_at <= self._clock():
            return None
        return claims

    def csrf_token(self, session_token: str) -> str:
        """Bound to the session: a form from another site cannot know it."""
        return self._sign(b"csrf|" + session_token.encode())

    def check_csrf(self, session_token: str, submitted: str) -> bool:
        return bool(submitted) and hmac.compare_digest(self.csrf_token(session_token), submitted)


@dataclass
class LoginThrottle:
    """At most ``max_failures`` failed logins per key within ``window_s``; then refuse until they age out.

    Keys are the user name and the client address, each counted on its own, so
    guessing one user's password from many addresses and many users' from one
    address are both slowed.
    """

    max_failures: int = 5
    window_s: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str) -> deque[float]:
        stamps = self._failures.setdefault(key, deque())
        horizon = self.clock() - self.window_s
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        return stamps

    def blocked(self, *keys: str) -> bool:
        return any(len(self._recent(key)) >= self.max_failures for key in keys)

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._recent(key).append(self.clock())

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
