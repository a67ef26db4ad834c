"""The draft report opens in LibreOffice: Debian's LibreOffice Writer (no GUI) converts it to
PDF, and the PDF holds the report's pages, its figures and its footnotes. scripts/test installs
``libreoffice-writer-nogui`` and ``poppler-utils`` (pdftotext, pdftoppm) as it does chromium."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PIL import Image, ImageStat

from fieldwork import cli

pytestmark = pytest.mark.slow  # LibreOffice converts the draft report: about 15 s of CPU

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TOOLS = ("pdftotext", "pdftoppm", "pdfinfo")


@pytest.fixture
def report_docx(demo_engine, db_url, tmp_path):
    out = tmp_path / "draft.docx"
    assert cli.main(["report", "case_review", str(out), "--db", db_url, "--by", "force"]) == 0
    return out


def test_libreoffice_converts_the_draft_to_pdf_with_its_figures_and_footnotes(report_docx, tmp_path):
    missing = [t for t in ("soffice", *TOOLS) if not (SOFFICE if t == "soffice" else shutil.which(t))]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: scripts/test installs Debian's libreoffice-writer-nogui and "
                    "poppler-utils (apt-get install --no-install-recommends libreoffice-writer-nogui poppler-utils)")
    profile = tmp_path / "lo-profile"  # a profile of its own: no clash with another LibreOffice running
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(report_docx)], check=True, capture_output=True, timeout=300)
    pdf = tmp_path / "draft.pdf"
    assert pdf.exists()
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages > 20
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert "Living in fear – the police and CPS response to harassment and stalking" in text
    assert "We found evidence that an initial risk assessment had taken place in 60 of 112 cases (54 percent)." in text
    assert "In one case it was not known if an initial risk assessment had taken place." in text  # the footnote
    assert "Annex B – Every figure" in text
    # the first page with the charts renders as a picture with ink on it
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "3", "-l", "3", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True)
    (png,) = tmp_path.glob("page-*.png")
    stat = ImageStat.Stat(Image.open(png).convert("L"))
    assert stat.mean[0] < 250  # not a blank page
