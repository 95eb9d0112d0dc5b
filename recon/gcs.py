"""Landing from Cloud Storage: copy a business date's objects into the run's work folder, verified, with generations.

The adapter between the land stage and the official ``google-cloud-storage`` client (one of the two modules of recon/
that import a Google client; :mod:`recon.targets` and the land stage import it only for a ``gs://`` landing). It
lists the same folders a local landing root is read from (``reference/``, ``<date>/`` and T-1's ``clearing/``),
downloads each object at the generation it was listed with, and checks the bytes against the CRC32C (and the MD5,
when the object has one) that Cloud Storage recorded: a mismatch raises :class:`recon.errors.ChecksumMismatch` naming
the object. The copy is then read by :func:`recon.landing.discover` like any local landing root; what the copy came
from (URI, generation, checksums) goes into the run's manifest by relative path. :func:`object_paths` lists names
only, for the late-file sensor (:mod:`recon.arrivals`). ``STORAGE_EMULATOR_HOST`` points the client at a local
emulator (the client's own convention).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from pathlib import Path, PurePosixPath

import google_crc32c
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from recon.errors import ChecksumMismatch, LandingError
from recon.targets import GcsLanding

OBJECTS_MAX = 10_000  # per business date: far above a day's files; more is an error, not a partial landing
_READ_CHUNK_BYTES = 1 << 20
_RETRY = DEFAULT_RETRY.with_timeout(60.0)


def _client() -> storage.Client:
    try:
        return storage.Client()
    except auth_exceptions.GoogleAuthError as error:
        raise LandingError(f"cannot reach Cloud Storage: {error}") from None


def _checksums(path: Path) -> tuple[str, str]:
    """(CRC32C, MD5) of a file, base64 as Cloud Storage records them."""
    crc32c, md5 = google_crc32c.Checksum(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_CHUNK_BYTES):
            crc32c.update(chunk)
            md5.update(chunk)
    return base64.b64encode(crc32c.digest()).decode(), base64.b64encode(md5.digest()).decode()


def _rel_path(landing: GcsLanding, name: str) -> str:
    """The path of an object below the landing root; a name that would leave the work folder is refused."""
    rel_path = name.removeprefix(f"{landing.prefix}/") if landing.prefix else name
    parts = PurePosixPath(rel_path).parts
    if rel_path.startswith("/") or any(part in ("..", ".") for part in parts) or "\\" in rel_path:
        raise LandingError(f"gs://{landing.bucket}/{name}: the object name leaves the landing root; refusing it")
    return rel_path


def _listed(client: storage.Client, landing: GcsLanding, folders: list[str]) -> list[storage.Blob]:
    """The objects under each folder of the landing root (folder placeholders left out), sorted by name."""
    blobs: dict[str, storage.Blob] = {}
    for folder in folders:
        for blob in client.list_blobs(landing.bucket, prefix=landing.object_name(folder) + "/", retry=_RETRY):
            if not blob.name.endswith("/"):
                blobs[blob.name] = blob
            if len(blobs) > OBJECTS_MAX:
                raise LandingError(f"{landing}: more than {OBJECTS_MAX} objects for one business date")
    return [blobs[name] for name in sorted(blobs)]


def _download(blob: storage.Blob, target: Path) -> dict:
    """Download one object at its listed generation into ``target`` and verify it; returns its manifest entry."""
    uri = f"gs://{blob.bucket.name}/{blob.name}#{blob.generation}"
    if blob.crc32c is None:
        raise ChecksumMismatch(f"{uri}: Cloud Storage recorded no CRC32C for the object; cannot verify it")
    target.parent.mkdir(parents=True, exist_ok=True)
    # the client's own check depends on the response's hash header: verify against the listed metadata instead
    blob.download_to_filename(str(target), checksum=None, if_generation_match=blob.generation, retry=_RETRY)
    crc32c, md5 = _checksums(target)
    for algorithm, expected, found in (("CRC32C", blob.crc32c, crc32c), ("MD5", blob.md5_hash, md5)):
        if expected is not None and expected != found:
            target.unlink()
            raise ChecksumMismatch(f"{uri}: {algorithm} of the downloaded bytes is {found}, the object records "
                                   f"{expected}; the object is corrupted, refusing it")
    return {"uri": f"gs://{blob.bucket.name}/{blob.name}", "generation": int(blob.generation),
            "crc32c": blob.crc32c, "md5": blob.md5_hash}


def object_paths(landing: GcsLanding, folders: list[str]) -> list[str]:
    """The paths, relative to the landing root, of the objects under each folder, sorted; names only (a prefix
    listing: nothing is downloaded, so an object still being written is not waited for)."""
    try:
        return [_rel_path(landing, blob.name) for blob in _listed(_client(), landing, folders)]
    except api_exceptions.GoogleAPICallError as error:
        raise LandingError(f"{landing}: Cloud Storage refused the listing: {error}") from None


def download_day(landing: GcsLanding, business_date: date, previous_dates: list[date], root: Path) -> dict[str, dict]:
    """Copy ``business_date``'s objects, the reference folder and the clearing folders of ``previous_dates`` (the
    days whose end-of-day cycle may be paid on the date) to ``root``.

    Returns, by path relative to the landing root, each object's URI, generation, CRC32C and MD5.
    """
    folders = ["reference", business_date.isoformat(), *(f"{day.isoformat()}/clearing" for day in previous_dates)]
    client = _client()
    try:
        blobs = _listed(client, landing, folders)
        if not blobs:
            raise LandingError(f"{landing}: no objects under reference/ or {business_date.isoformat()}/")
        return {_rel_path(landing, blob.name): _download(blob, root / _rel_path(landing, blob.name))
                for blob in blobs}
    except api_exceptions.PreconditionFailed as error:
        raise LandingError(f"{landing}: an object changed while it was being landed ({error}); land again") from None
    except api_exceptions.GoogleAPICallError as error:
        raise LandingError(f"{landing}: Cloud Storage refused the request: {error}") from None
