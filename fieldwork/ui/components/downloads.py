"""Download buttons in a row, as every page that offers a file lays them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import streamlit as st


@dataclass(frozen=True)
class Download:
    label: str
    data: Any  # bytes or text, or a callable that makes them only when the button is clicked
    file_name: str
    mime: str
    key: str
    options: dict = field(default_factory=dict)  # anything else st.download_button takes (icon, on_click ...)


def download_row(downloads: Sequence[Download], *, widths: Sequence[int] | None = None) -> None:
    """One button per download, side by side from the left; ``widths`` are the columns' shares
    (default: a narrow column each, the rest of the row left empty)."""
    columns = st.columns(list(widths) if widths else [1] * len(downloads) + [4])
    for column, d in zip(columns, downloads):
        column.download_button(d.label, data=d.data, file_name=d.file_name, mime=d.mime, key=d.key, **d.options)
