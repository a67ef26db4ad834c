"""File uploaders that state the limit the app applies, not Streamlit's default: each says its
own limit ("Limit 50MB per file", the browser refusing a larger file as it is chosen), and a
larger file that reaches the server all the same is refused here, in words naming the file
and the limit, before any page reads it (walk 23, F19: the uploaders said "200MB per file" of
files the app refuses over 50 MB). The server lets through at most ``limits.MAX_UPLOAD_MB``, the
largest any page accepts."""

from __future__ import annotations

import streamlit as st

from fieldwork.files import limits

MB = 1024 * 1024  # Streamlit's megabyte, as limits.mb counts them


def uploader(label: str, *, limit: int | None = None, key: str, **options):
    """``st.file_uploader`` limited to ``limit`` bytes (a whole number of MB; default: an
    import's, ``limits.MAX_FILE_BYTES``); a larger file is refused (the page gets None)."""
    from fieldwork.ui.components.problems import show_problems

    limit = limits.MAX_FILE_BYTES if limit is None else limit
    upload = st.file_uploader(label, key=key, max_upload_size=max(1, limit // MB), **options)
    refusal = limits.too_large(upload.name, upload.size, limit) if upload is not None else None
    if refusal is not None:
        show_problems(refusal, key=f"{key}_too_large", retry=False)
        return None
    return upload
