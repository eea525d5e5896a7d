"""Crash-safe, resumable output files: the output, its side files and a progress log.

A run writes ``<output>`` plus three side files named after it (``statements.jsonl`` ->
``statements.errors.jsonl``, ``statements.summary.json``, ``statements.progress.jsonl``).
`OutputFiles` holds an exclusive lock on the output and errors files for the whole run, never
writes through a symbolic link, and keeps the progress log:

- its first line is a header with a fingerprint of the stage, the flags and the inputs;
- after an article's records are written and flushed, one line records the article's key,
  the size the output and errors files reached, and the sha256 of everything written so far.

On ``--resume`` the fingerprint must match (else the run is refused: its records would mix
with stale ones), the output and errors files must still hold exactly what the log says
(size and hash), and both are cut back to the last logged article — dropping a half-written
one — before the run skips the logged articles and goes on. A missing, empty or unreadable
log means nothing was verifiably done: the run starts over. A torn or garbage entry ends the
log where it stands. The log is only ever rewritten whole, atomically (write, then rename).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from claimtrace.errors import ClaimtraceError, Errors

log = logging.getLogger(__name__)

PROGRESS_FORMAT = "claimtrace/progress@2"
SIDE_SUFFIXES = {"errors": ".errors.jsonl", "summary": ".summary.json",
                 "progress": ".progress.jsonl"}
# Settings that change how fast a run goes, never what it writes (tested for batch size).
NOT_FINGERPRINTED = ("progress", "threads", "batch_size", "models_ahead")
_CHUNK = 1 << 20


def side_path(output: Path, kind: str) -> Path:
    """``<output>`` with its last suffix replaced: ``out.jsonl`` -> ``out.errors.jsonl``."""
    return output.with_suffix(SIDE_SUFFIXES[kind])


def errors_path_for(output: Path) -> Path:
    return side_path(output, "errors")


def summary_path_for(output: Path) -> Path:
    return side_path(output, "summary")


def progress_path_for(output: Path) -> Path:
    return side_path(output, "progress")


# ---------------------------------------------------------------- fingerprint


def _file_fingerprint(path: Path) -> dict[str, Any]:
    info = os.stat(path)
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns}


def _folder_fingerprint(path: Path) -> dict[str, Any]:
    """Every entry's name, size and time, hashed: an added, removed or edited file shows."""
    digest, count = hashlib.sha256(), 0
    for folder, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            entry = os.path.join(folder, name)
            try:
                info = os.lstat(entry)
            except OSError:
                continue
            relative = os.path.relpath(entry, path)
            digest.update(os.fsencode(relative) + b"\0"
                          + f"{info.st_size}:{info.st_mtime_ns}\n".encode())
            count += 1
    return {"files": count, "listing_sha256": digest.hexdigest()}


def input_fingerprint(source: str | Path) -> dict[str, Any]:
    path = os.path.abspath(source)
    entry: dict[str, Any] = {"path": os.fsencode(path).decode("utf-8", "backslashreplace")}
    if os.path.isdir(path):
        entry.update(_folder_fingerprint(Path(path)))
    else:
        entry.update(_file_fingerprint(Path(path)))
    return entry


def run_fingerprint(stage: str, inputs: Iterable[str | Path], flags: dict[str, Any]) -> dict:
    """What a resumed run must share with the run it continues."""
    kept = {k: v for k, v in sorted(flags.items()) if k not in NOT_FINGERPRINTED}
    fingerprint = {"stage": stage, "flags": kept,
                   "inputs": [input_fingerprint(s) for s in inputs]}
    return json.loads(json.dumps(fingerprint, default=str))  # as the log will hold it


def fingerprint_difference(old: dict, new: dict) -> str | None:
    """A short description of what changed between two fingerprints, or None."""
    if old.get("stage") != new["stage"]:
        return f"the stage ({old.get('stage')!r} -> {new['stage']!r})"
    old_flags = old.get("flags") or {}
    changed = sorted(k for k in set(old_flags) | set(new["flags"])
                     if old_flags.get(k) != new["flags"].get(k))
    if changed:
        return "the flags (" + ", ".join(
            f"{k}: {old_flags.get(k)!r} -> {new['flags'].get(k)!r}" for k in changed) + ")"
    old_inputs = old.get("inputs") or []
    if [i.get("path") for i in old_inputs] != [i["path"] for i in new["inputs"]]:
        return "the list of inputs"
    for before, now in zip(old_inputs, new["inputs"], strict=True):
        if before != now:
            return f"the input {now['path']} (size, time or folder listing)"
    return None


# ---------------------------------------------------------------- the progress log


@dataclass(frozen=True)
class Mark:
    """One logged article: its key and what the output and errors files held after it."""

    key: str
    out: int
    out_sha256: str
    err: int
    err_sha256: str

    def to_line(self) -> bytes:
        entry = {"key": self.key, "out": self.out, "out_sha256": self.out_sha256,
                 "err": self.err, "err_sha256": self.err_sha256}
        return (json.dumps(entry, ensure_ascii=True) + "\n").encode("ascii")


EMPTY_SHA256 = hashlib.sha256().hexdigest()


@dataclass
class Checkpoint:
    fingerprint: dict | None = None  # None: no usable log (missing, empty or garbage header)
    marks: list[Mark] = field(default_factory=list)
    problem: str = ""  # why the log was not usable

    @property
    def last(self) -> Mark:
        return self.marks[-1] if self.marks else Mark("", 0, EMPTY_SHA256, 0, EMPTY_SHA256)


def _json_object(line: bytes) -> dict | None:
    try:
        value = json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError):  # also UnicodeDecodeError, a ValueError
        return None
    return value if isinstance(value, dict) else None


def _mark(entry: dict | None) -> Mark | None:
    """A log entry, or None when it is torn, foreign or damaged ({} / null / wrong types)."""
    if entry is None:
        return None
    types = {"key": str, "out": int, "out_sha256": str, "err": int, "err_sha256": str}
    if any(type(entry.get(name)) is not kind for name, kind in types.items()):
        return None
    if entry["out"] < 0 or entry["err"] < 0:
        return None
    return Mark(**{name: entry[name] for name in types})


def read_progress(path: Path) -> Checkpoint:
    """The log as far as it can be trusted; never raises on its content."""
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return Checkpoint(problem="there is no progress log")
    except OSError as err:
        return Checkpoint(problem=f"the progress log cannot be read ({err.strerror})")
    header = _json_object(lines[0]) if lines else None
    if header is None or header.get("format") != PROGRESS_FORMAT \
            or not isinstance(header.get("fingerprint"), dict):
        return Checkpoint(problem="the progress log is empty or not claimtrace's")
    checkpoint = Checkpoint(fingerprint=header["fingerprint"])
    for line in lines[1:]:
        mark = _mark(_json_object(line))
        if mark is None or mark.out < checkpoint.last.out or mark.err < checkpoint.last.err:
            break  # a torn last line (killed mid-write) or damage: the log ends here
        checkpoint.marks.append(mark)
    return checkpoint


def _header_line(fingerprint: dict) -> bytes:
    header = {"format": PROGRESS_FORMAT, "fingerprint": fingerprint}
    return (json.dumps(header, ensure_ascii=True) + "\n").encode("ascii")


def write_atomically(path: Path, data: bytes) -> None:
    """Write a temporary file beside `path`, then rename it over `path` (never through a link:
    the rename replaces a link itself)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)  # left by a killed run that had the same pid
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- the files of one run


def _open_locked(path: Path) -> BinaryIO:
    """Open for reading and writing without truncating, not through a link, locked."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as err:
        raise ClaimtraceError(Errors.E062.format(path=path, detail=err.strerror)) from err
    handle = os.fdopen(fd, "r+b")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as err:
        handle.close()
        raise ClaimtraceError(Errors.E063.format(path=path)) from err
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise ClaimtraceError(Errors.E056.format(path=path))
    return handle


def _hash_prefix(handle: BinaryIO, size: int) -> hashlib._Hash | None:
    """sha256 of the first `size` bytes, or None when the file is shorter."""
    handle.seek(0)
    digest, left = hashlib.sha256(), size
    while left:
        chunk = handle.read(min(left, _CHUNK))
        if not chunk:
            return None
        digest.update(chunk)
        left -= len(chunk)
    return digest


class OutputFiles:
    """The output, errors and progress files of one run, locked from open to close."""

    def __init__(self, output: Path, fingerprint: dict, resume: bool) -> None:
        self.output = output
        self.progress_path = progress_path_for(output)
        # What opening creates, a refused start removes: a refused run writes nothing.
        created = [path for path in (output, errors_path_for(output)) if not path.exists()]
        self.out = _open_locked(output)
        try:
            self.errors = _open_locked(errors_path_for(output))
            self.checkpoint = self._start(fingerprint, resume)
        except BaseException:
            self.close()
            for path in created:
                with contextlib.suppress(OSError):
                    if path.stat().st_size == 0:
                        path.unlink()
            raise
        self.progress = self._open_log()

    def _start(self, fingerprint: dict, resume: bool) -> Checkpoint:
        checkpoint = read_progress(self.progress_path) if resume else Checkpoint()
        if resume and checkpoint.fingerprint is None:
            log.warning("--resume: %s; starting over", checkpoint.problem)
        if checkpoint.fingerprint is not None:
            difference = fingerprint_difference(checkpoint.fingerprint, fingerprint)
            if difference is not None:
                raise ClaimtraceError(Errors.E064.format(output=self.output, what=difference))
        last = checkpoint.last
        self.out_hash = self._continue(self.out, self.output, last.out, last.out_sha256)
        self.err_hash = self._continue(self.errors, errors_path_for(self.output), last.err,
                                       last.err_sha256)
        log_bytes = _header_line(fingerprint) + b"".join(m.to_line() for m in checkpoint.marks)
        write_atomically(self.progress_path, log_bytes)
        return checkpoint

    @staticmethod
    def _continue(handle: BinaryIO, path: Path, size: int, expected: str) -> hashlib._Hash:
        """Check the file holds what the log says, cut it back there, position at the end."""
        digest = _hash_prefix(handle, size)
        if digest is None or digest.hexdigest() != expected:
            have = os.fstat(handle.fileno()).st_size
            raise ClaimtraceError(Errors.E065.format(path=path, size=have, logged=size))
        handle.truncate(size)
        handle.seek(size)
        return digest

    def _open_log(self) -> BinaryIO:
        flags = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
        return os.fdopen(os.open(self.progress_path, flags), "ab")

    def write(self, key: str, records: bytes, errors: bytes) -> None:
        """One article's output and error lines, each in one write, then its log entry."""
        for handle, digest, data in ((self.out, self.out_hash, records),
                                     (self.errors, self.err_hash, errors)):
            if data:
                handle.write(data)
                handle.flush()
                digest.update(data)
        mark = Mark(key, self.out.tell(), self.out_hash.hexdigest(), self.errors.tell(),
                    self.err_hash.hexdigest())
        self.progress.write(mark.to_line())
        self.progress.flush()

    def write_summary(self, summary: dict) -> None:
        data = (json.dumps(summary, indent=2) + "\n").encode("utf-8")
        write_atomically(summary_path_for(self.output), data)

    def close(self) -> None:
        """Close every file, even when one fails to (a full disk refuses the flush of what
        its buffer still holds); then raise the first failure."""
        failure: OSError | None = None
        for name in ("progress", "errors", "out"):
            handle = getattr(self, name, None)
            if handle is not None:
                try:
                    handle.close()  # closing the descriptor releases its lock
                except OSError as err:
                    failure = failure or err
        if failure is not None:
            raise failure

    def __enter__(self) -> OutputFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def skip_done(items: Iterable, marks: list[Mark], key_of) -> Iterator:
    """Drop the items the log has as done; refuse when they are not the logged ones."""
    iterator = iter(items)
    for number, mark in enumerate(marks):
        item = next(iterator, None)
        key = None if item is None else key_of(item)
        if key != mark.key:
            raise ClaimtraceError(Errors.E066.format(number=number + 1, logged=mark.key,
                                                     found=key))
    yield from iterator
