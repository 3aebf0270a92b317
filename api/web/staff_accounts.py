"""Managing and authenticating staff users over the event-sourced directory."""

from __future__ import annotations

from argon2 import PasswordHasher
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from adapters.application import AsientoApp
from api.web.security import verify_password
from domain.errors import Conflict, NotFound
from domain.staff import DIRECTORY_ID, StaffDirectory, StaffUser, check_password_strength


class StaffAccounts:
    def __init__(self, app: AsientoApp, hasher: PasswordHasher | None = None) -> None:
        self.app = app
        self.hasher = hasher or PasswordHasher()
        # Verifying an unknown user costs as much as a known one: timing does not tell who exists.
        self._dummy_hash = self.hasher.hash("usuario inexistente")

    def directory(self) -> StaffDirectory:
        try:
            directory: StaffDirectory = self.app.repository.get(DIRECTORY_ID)
        except AggregateNotFoundError:
            return StaffDirectory()
        return directory

    def _save(self, directory: StaffDirectory) -> None:
        try:
            self.app.save(directory)
        except IntegrityError:
            raise Conflict("Otro usuario modificó los usuarios al mismo tiempo: reintente") from None

    def add(
        self, username: str, full_name: str, roles: list[str], password: str, *, recorded_by: str
    ) -> StaffUser:
        check_password_strength(password)
        directory = self.directory()
        user = directory.add_user(
            username, full_name, roles, self.hasher.hash(password), recorded_by=recorded_by
        )
        self._save(directory)
        return user

    def set_roles(self, username: str, roles: list[str], *, recorded_by: str) -> StaffUser:
        directory = self.directory()
        directory.set_roles(username, roles, recorded_by=recorded_by)
        self._save(directory)
        return directory.get(username)

    def change_password(self, username: str, password: str, *, recorded_by: str) -> None:
        check_password_strength(password)
        directory = self.directory()
        directory.change_password(username, self.hasher.hash(password), recorded_by=recorded_by)
        self._save(directory)

    def set_active(self, username: str, active: bool, *, recorded_by: str) -> StaffUser:
        directory = self.directory()
        directory.set_active(username, active, recorded_by=recorded_by)
        self._save(directory)
        return directory.get(username)

    def active_user(self, username: str) -> StaffUser | None:
        try:
            user = self.directory().get(username)
        except NotFound:
            return None
        return user if user.active else None

    def authenticate(self, username: str, password: str) -> StaffUser | None:
        user = self.active_user(username)
        if user is None:
            verify_password(self.hasher, self._dummy_hash, password)
            return None
        return user if verify_password(self.hasher, user.password_hash, password) else None
