"""One catalogue of user-facing error messages, written once and testable (spaCy's Errors idea).

Input problems become `ArticleError` records in ``errors.jsonl``; programming or set-up
problems raise ``ClaimtraceError`` with one of these messages.
"""

from __future__ import annotations

import json


class Errors:
    # --- input (ingest) ---
    E001 = "line {line} is not valid JSON: {detail}"
    E002 = "article has no 'text' field"
    E003 = "article 'text' is empty or only whitespace"
    E004 = "article 'text' is not a string (got {type_name})"
    E005 = "bytes are not valid UTF-8 at byte {position}: {detail}"
    E006 = "duplicate article id '{article_id}' (first seen at {first_seen}); later copy skipped"
    E007 = "JSON line is not an object (got {type_name})"
    E008 = "input file could not be read: {detail}"
    E009 = "CSV row has no 'text' column (columns: {columns})"
    E010 = "input path does not exist: {path}"
    E011 = "unsupported input '{path}': expected .jsonl, .jsonl.gz, .csv, .txt, a folder or '-'"
    E012 = "file looks binary (NUL bytes), not text"
    E013 = "compressed input is truncated or corrupt after {count} articles: {detail}"
    E014 = "field '{field}' is not valid Unicode: lone surrogate {char} at character {index}"
    E015 = "record could not be read: {detail}"
    E016 = "folder entry is not a readable regular file: it is {kind}"
    E017 = "input stopped being readable after {count} items (the rest of it is lost): {detail}"
    E018 = "malformed CSV row (an unterminated or stray quotation mark?): {detail}"
    E019 = "CSV row has {count} fields where the header has {expected}: {why}"
    E023 = "field '{field}' is {type_name}, not text or a number"
    E024 = ("file is {encoding} (it starts with a {encoding} byte-order mark); claimtrace reads "
            "UTF-8: convert it first, e.g. iconv -f {encoding} -t UTF-8")
    E025 = ("CSV header repeats column(s) {columns}: which one holds the article's value is "
            "unclear, so no row is read; rename or drop the copies")
    E026 = ("folder entry is a symbolic link to a folder, which is not followed (a link loop "
            "would never end): its articles are not read; give that folder as an input itself")
    E027 = "this line is {what}, not a raw article: {advice}"
    E028 = ("this CSV is claimtrace's statements export (it has the columns statement_id, "
            "attribution_id and sentence_index), not articles: no row is read; give run the "
            "articles the statements came from")
    # --- processing ---
    E020 = "stage '{stage}' failed on this article: {detail}"
    E021 = "intermediate record from stage '{stage}' is missing field '{field}'"
    E022 = ("article language is '{language}' (detector probability {probability}), not one "
            "of --languages {allowed}")
    # --- models and artifacts ---
    E040 = "model artifact not found at {path}: {hint}"
    E041 = "model artifact file {file} is corrupted: sha256 {actual} != expected {expected}"
    E042 = "model artifact at {path} has no manifest {manifest}"
    E043 = "base encoder weights at {path} fail their checksum: {actual} != {expected}"
    E044 = ("model artifact at {path} holds files its manifest.json does not list: {files}; "
            "loaders would read them unverified, so remove them (or re-export the model)")
    E045 = "model manifest {path} is unreadable or malformed: {detail}"
    # --- engines ---
    E050 = ("Ray Client addresses ('{address}') are not supported: the driver must be part of "
            "the cluster; start claimtrace on a cluster node (--address auto, or the head's "
            "host:port such as head:6379) or submit it with 'ray job submit'")
    E083 = ("{name} '{address}' names no Ray cluster that answers ({detail}): give the head's "
            "host:port as 'ray status' on a node shows it, auto on a node of the cluster, or no "
            "address to start Ray on this machine")
    # --- arguments and output files (checked before any output is opened) ---
    E051 = "{role} {path} is also an input of this run: it would be emptied before it is read"
    E052 = ("{role} {path} is inside the input folder {folder}: the run would change the "
            "folder it reads (a .txt file would be read as an article, and --resume refuses a "
            "folder whose listing changed); write it outside the folder")
    E053 = "output {path} is a directory: give a file path"
    E054 = "output {path} cannot be created: {parent} is not a directory"
    E055 = ("{role} {path} is a symbolic link: claimtrace does not write through links "
            "(remove it, or give the path it points to)")
    E056 = ("{path} is not a regular file (a device, FIFO or socket): claimtrace needs a file "
            "path to name its side files after")
    E057 = ("statements cannot go to stdout ('-o {path}'): claimtrace names its errors, summary "
            "and progress files after --output; give a file path, then read that file")
    E058 = "input '-' (stdin) is closed or not readable"
    E059 = "input '-' (stdin) is given more than once"
    E060 = "input {path} is {kind}, not a regular file or a folder: pipe it into '-' instead"
    E061 = "input {path} cannot be read: {detail}"
    E062 = "{path} cannot be opened for writing: {detail}"
    E063 = ("{path} is locked by another claimtrace run that is writing it: wait for that run "
            "or choose another --output")
    E064 = ("--resume refused: {what} changed since {output} was started, so old and new "
            "records would mix; run without --resume to start over")
    E065 = ("--resume refused: {path} no longer holds what the progress log recorded (it has "
            "{size} bytes, the log {logged} bytes of known content): it was changed, replaced or "
            "deleted; run without --resume to start over")
    E066 = ("--resume refused: input item {number} is {found!r} where the progress log has "
            "{logged!r}: the input changed; run without --resume to start over")
    E067 = "--resume cannot check that stdin ('-') is the same input again: give a file"
    E068 = "cannot write in {parent}: {detail}"
    E073 = ("stage '{stage}' writes plain JSONL, not gzip ({path}): give a .jsonl output, or "
            "compress the statements with 'claimtrace run' or 'claimtrace convert'")
    E074 = ("stage '{stage}' reads the JSONL the stage before it wrote, not {kind} ({path}): "
            "start with 'claimtrace ingest' or 'claimtrace run'")
    E075 = ("article.text no longer has the sha256 the stage before recorded (the file was "
            "edited): run that stage again")
    E076 = "{what} offsets {start}:{end} do not fit the text ({length} characters)"
    E077 = "attribution sentence_index {index} names no sentence (the article has {count})"
    E080 = "{field} is {value}, expected {expected}"
    E081 = "the state on this line cannot be read back: {detail}"
    E082 = "this line is {what}, not a stage state: {advice}"
    E078 = ("this line was written by stage '{found}', but '{stage}' reads what '{expected}' "
            "writes: run ingest, split, attribute, classify and export in that order")
    # --- output formats ---
    E070 = ("cannot tell the output format from '{path}': use --format jsonl, parquet, csv, "
            "claimreview or html, or a name ending .jsonl, .jsonl.gz, .parquet, .csv or .html")
    E071 = "line is not a claimtrace statement record (no 'sentence')"
    E072 = "convert would overwrite its own input {path}: choose another --output"
    E079 = "line is not a valid claimtrace statement record: {detail}"


class ClaimtraceError(Exception):
    """A set-up or usage problem with a message from `Errors`."""


def json_error_detail(err: ValueError | RecursionError) -> str:
    """Why a line is not JSON Python can read: a syntax error with its column, or valid JSON
    over a parser limit (an integer of 5,000 digits, arrays nested 100,000 deep)."""
    if isinstance(err, json.JSONDecodeError):
        return f"{err.msg}{'' if err.msg.endswith(' at') else ' at'} column {err.colno}"
    if isinstance(err, RecursionError):
        return "nested too deeply to read"
    return str(err).split(";")[0]  # "Exceeds the limit (4300 digits) for integer string …"
