"""Uploaded files, kept in a temporary folder under their own name (formats are told by the extension)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import UploadFile

from domain.errors import InvalidInput

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class uploaded:
    """An upload kept in a temporary file with its original name (formats are told by the extension)."""

    def __init__(self, file: UploadFile) -> None:
        self.file = file
        self.folder = tempfile.TemporaryDirectory(prefix="asiento-upload-")

    def __enter__(self) -> Path:
        name = Path(self.file.filename or "archivo").name
        data = self.file.file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise InvalidInput(f"El archivo {name} supera los {MAX_UPLOAD_BYTES // 1024 // 1024} MB")
        path = Path(self.folder.name) / name
        path.write_bytes(data)
        return path

    def __exit__(self, *exc: object) -> None:
        self.folder.cleanup()
