"""Following a folder laid out as PA delivers it, and applying each new file once.

    DIR/nominations/*.xml, DIR/results/*.xml    PA's files (dot files and others skipped)
    DIR/{nominations,results}/.timestamp        rewritten by PA whenever a file lands
    DIR/quarantine/{folder}/                    where rejected files are moved

`FolderWatcher.run` polls both `.timestamp` files and scans when either changes, and every
`RESCAN_EVERY` seconds regardless (a change can be missed). A scan takes the files in the
order they arrived (nominations first, then by modification time), except that the files
of one seat and kind go in revision order; each file is handed to `results.ingest.
ingest_file`, which applies it once whoever else is watching. A rejected file is moved to
the quarantine folder; the watcher carries on with the next.

A file is read only once it has settled: modified at least `SETTLE_SECONDS` ago and the same
(inode, size, modification time) before and after reading it. One that changes while it is
read, or is replaced, is read again on the next scan, so half a file is never applied.
"""

import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import close_old_connections, connection

from liveblog.permissions import User
from results.feeds.pa import MAX_FILE_BYTES, PAFileError, parse_file_name
from results.ingest import Ingested, file_digest, ingest_file
from results.models import Election, IngestLog

logger = logging.getLogger(__name__)

FOLDERS = ("nominations", "results")
QUARANTINE = "quarantine"
TIMESTAMP = ".timestamp"
RESCAN_EVERY = 60.0
POLL_EVERY = 1.0
SETTLE_SECONDS = 2.0

StatKey = tuple[int, int, int]  # inode, size, mtime in ns


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Delivered:
    folder: str
    path: Path
    key: StatKey

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class ScanReport:
    new: list[IngestLog] = field(default_factory=list)  # entries this scan wrote
    seen: int = 0  # handled before, by this watcher or another
    unsettled: list[str] = field(default_factory=list)  # to be read on a later scan
    failed: list[str] = field(default_factory=list)  # an unexpected error, retried later

    def count(self, state: str) -> int:
        return sum(1 for entry in self.new if entry.state == state)


def _stat_key(path: Path) -> StatKey | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def delivery_order(files: list[Delivered]) -> list[Delivered]:
    """Nominations first, then as they arrived (modification time); but the files of one
    seat and kind take the places they hold in revision order, so revision 1 is applied
    before revision 2 even when revision 2 landed first."""
    arrived = sorted(files, key=lambda f: (FOLDERS.index(f.folder), f.key[2], f.name))
    slots: dict[tuple[str, str, str | None], list[tuple[int, int]]] = {}
    for index, f in enumerate(arrived):
        try:
            name = parse_file_name(f.name)
        except PAFileError:
            continue
        slots.setdefault((name.election, name.kind, name.seat), []).append((index, name.revision))
    ordered = list(arrived)
    for members in slots.values():
        by_revision = sorted(members, key=lambda m: m[1])
        for (slot, _), (index, _) in zip(members, by_revision, strict=True):
            ordered[slot] = arrived[index]
    return ordered


class FolderWatcher:
    def __init__(
        self,
        directory: Path,
        *,
        election: Election,
        by: User,
        process: str | None = None,
        on_entry: Callable[[IngestLog], None] | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.election = election
        self.by = by
        self.process = process or process_name()
        self.on_entry = on_entry or (lambda entry: None)
        self.now = now
        # Files whose present version was handled: not read again until they change.
        self._handled: dict[Path, StatKey] = {}

    # Scanning ------------------------------------------------------------------------------

    def pending(self) -> list[Delivered]:
        files = []
        for folder in FOLDERS:
            base = self.directory / folder
            try:
                entries = sorted(base.iterdir())
            except OSError:
                continue
            for path in entries:
                if path.name.startswith(".") or path.suffix.lower() != ".xml":
                    continue
                key = _stat_key(path)
                if key is None or not path.is_file() or self._handled.get(path) == key:
                    continue
                files.append(Delivered(folder, path, key))
        return delivery_order(files)

    def scan(self) -> ScanReport:
        report = ScanReport()
        for delivered in self.pending():
            try:
                self._one(delivered, report)
            except Exception:  # the watcher carries on; the file is tried again next scan
                logger.exception("PA file %s could not be ingested", delivered.path)
                report.failed.append(delivered.name)
        return report

    def _one(self, delivered: Delivered, report: ScanReport) -> None:
        data = self._read_settled(delivered)
        if data is None:
            report.unsettled.append(delivered.name)
            return
        digest = file_digest(data)
        quarantine = Path(QUARANTINE) / delivered.folder / delivered.name
        if (self.directory / quarantine).exists():
            quarantine = quarantine.with_name(f"{delivered.name}.{digest[:12]}")
        done: Ingested = ingest_file(
            data,
            name=delivered.name,
            folder=delivered.folder,
            election=self.election,
            by=self.by,
            process=self.process,
            quarantine_as=str(quarantine),
        )
        if done.new:
            report.new.append(done.log)
            self.on_entry(done.log)
        else:
            report.seen += 1
        if done.log.state == IngestLog.State.REJECTED and done.log.quarantined_as:
            self._quarantine(delivered, self.directory / done.log.quarantined_as)
        self._handled[delivered.path] = delivered.key

    def _read_settled(self, delivered: Delivered) -> bytes | None:
        age = self.now() - delivered.key[2] / 1e9
        if 0 <= age < SETTLE_SECONDS:
            return None  # perhaps still being written (a time in the future says nothing)
        try:
            with delivered.path.open("rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
        except OSError:
            return None
        if _stat_key(delivered.path) != delivered.key:
            return None  # changed or replaced while read: the next scan reads it again
        return data

    def _quarantine(self, delivered: Delivered, target: Path) -> None:
        if _stat_key(delivered.path) != delivered.key:
            return  # already moved (another watcher), or replaced by a new delivery
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):  # another watcher moved it first
            os.replace(delivered.path, target)

    # Following -----------------------------------------------------------------------------

    def timestamps(self) -> tuple[str | None, ...]:
        stamps: list[str | None] = []
        for folder in FOLDERS:
            try:
                stamps.append((self.directory / folder / TIMESTAMP).read_text("ascii").strip())
            except (OSError, UnicodeDecodeError):
                stamps.append(None)
        return tuple(stamps)

    def run(
        self,
        *,
        once: bool = False,
        stop: Callable[[], bool] = lambda: False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> int:
        """Scan at once, then whenever a `.timestamp` changes or RESCAN_EVERY has passed,
        until `stop()`; with `once`, one scan. Returns the number of scans."""
        stamps: tuple[str | None, ...] | None = None
        last_scan = 0.0
        scans = 0
        while True:
            if not connection.in_atomic_block:  # never under a caller's transaction
                close_old_connections()  # a long-running process: drop a connection gone bad
            # Read before scanning, so a file landing during the scan brings another.
            current = self.timestamps()
            if scans == 0 or current != stamps or clock() - last_scan >= RESCAN_EVERY:
                stamps = current
                self.scan()
                last_scan = clock()
                scans += 1
            if once or stop():
                return scans
            sleep(POLL_EVERY)
