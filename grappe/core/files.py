"""Private files: stored outside the public media root, served after a permission check."""

from __future__ import annotations

import mimetypes
import os
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _

ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# The first bytes of each accepted type (a renamed executable is refused).
MAGIC = {
    ".pdf": [b"%PDF"],
    ".png": [b"\x89PNG"],
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
    ".xlsx": [b"PK\x03\x04"],
    ".odt": [b"PK\x03\x04"],
    ".docx": [b"PK\x03\x04"],
}


class PrivateStorage(FileSystemStorage):
    """Files outside the public media root, with no URL: only views that check
    permissions first can serve them. Reads ``PRIVATE_ROOT`` at each use."""

    def __init__(self, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return str(settings.PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL.")


def private_storage():
    return storages["private"]


def validate_upload(
    upload: UploadedFile, *, allowed: tuple[str, ...] = tuple(ALLOWED_TYPES)
) -> None:
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in allowed:
        raise ValidationError(
            _("Type de fichier refusé (%(suffix)s). Types acceptés : %(allowed)s."),
            params={"suffix": suffix or "?", "allowed": ", ".join(allowed)},
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("Fichier trop volumineux : %(size)s Mo au plus."),
            params={"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
        )
    head = upload.read(8)
    upload.seek(0)
    signatures = MAGIC.get(suffix)
    if signatures and not any(head.startswith(s) for s in signatures):
        raise ValidationError(_("Le contenu du fichier ne correspond pas à son extension."))


def serve_private(name: str, *, download_name: str | None = None) -> FileResponse:
    """Stream a private file. Call only after the permission check."""
    storage = private_storage()
    handle = storage.open(name, "rb")
    content_type = mimetypes.guess_type(download_name or name)[0] or "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name or PurePath(name).name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
