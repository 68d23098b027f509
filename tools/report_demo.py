"""Write the demo posting's mid-term draft to docs/: the submission copy (docx, md), the review copy (docx, each
paragraph's sources as Word comments), and a PNG of the submission copy's first page when LibreOffice and pdftoppm
are installed (apt-get install libreoffice-writer-nogui poppler-utils fonts-noto-cjk
fonts-arphic-ukai).

Run: make report-demo
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reporting.compose import compile_report  # noqa: E402
from reporting.markdown import render_markdown  # noqa: E402
from reporting.word import render_docx  # noqa: E402
from tests.posting import CADRE, build_posting  # noqa: E402

DOCS = ROOT / "docs"


def main() -> int:
    entries, _ = build_posting()
    draft = compile_report("mid", CADRE, entries, dt.date(2026, 6, 1), dt.date(2026, 8, 31), dt.date(2026, 9, 1))
    DOCS.mkdir(exist_ok=True)
    docx = DOCS / "report-demo.docx"
    docx.write_bytes(render_docx(draft))
    (DOCS / "report-demo-review.docx").write_bytes(render_docx(draft, review=True))
    (DOCS / "report-demo.md").write_text(render_markdown(draft), encoding="utf-8")
    print(
        f"wrote {docx.relative_to(ROOT)}, docs/report-demo-review.docx and docs/report-demo.md "
        f"({len(draft.body_text())} characters; {draft.unverified} sentences marked, {draft.dropped} removed)"
    )
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not (soffice and pdftoppm):
        print("LibreOffice or pdftoppm not installed: no PNG (see the docstring for the packages)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FONTCONFIG_FILE": str(ROOT / "tools" / "fonts.conf")}
        profile = Path(tmp, "profile").as_uri()
        subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation={profile}",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(docx),
            ],
            check=True,
            env=env,
            capture_output=True,
            timeout=300,
        )
        pdf = Path(tmp, "report-demo.pdf")
        subprocess.run(
            [
                pdftoppm,
                "-r",
                "70",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(DOCS / "report-demo-page1"),
            ],
            check=True,
            timeout=120,
        )
    print("wrote docs/report-demo-page1.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
