"""One catalogue of user-facing error messages, written once and testable (spaCy's Errors idea).

Input problems become `ArticleError` records in ``errors.jsonl``; programming or set-up
problems raise ``ClaimtraceError`` with one of these messages.
"""

from __future__ import annotations


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
    # --- engines ---
    E050 = ("Ray Data does not run through Ray Client ('{address}'): start claimtrace on a "
            "cluster node (--address auto, or the head's host:port such as head:6379) or "
            "submit it with 'ray job submit'")
    # --- output formats ---
    E060 = ("cannot tell the output format from '{path}': use --format jsonl, parquet, csv, "
            "claimreview or html, or a name ending .jsonl, .jsonl.gz, .parquet, .csv or .html")
    E061 = "line is not a claimtrace statement record (no 'sentence')"
    E062 = "convert would overwrite its own input {path}: choose another --output"


class ClaimtraceError(Exception):
    """A set-up or usage problem with a message from `Errors`."""
