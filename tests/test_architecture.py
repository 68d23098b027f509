"""Import direction (STYLE.md c.3): platform libraries only in bot/, SQLAlchemy only in storage/."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage", "analysis", "reporting", "timing", "console")
PURE = ("analysis", "reporting", "timing")

# library -> the only places allowed to import it (a path prefix)
ONLY_IN = {
    "telegram": ("bot/channels/telegram.py", "bot/channels/telegram_http.py"),
    "aiohttp": ("bot/channels/telegram_http.py",),
    "apscheduler": ("bot/scheduler.py",),
    "wechatpy": ("bot/channels/wecom",),
    "sqlalchemy": ("storage/",),
    "alembic": ("storage/",),
    "jieba": ("analysis/classify.py",),
    "opencc": ("analysis/classify.py",),
    "docx": ("reporting/word.py",),
    "openpyxl": ("reporting/ledgers.py", "reporting/overview.py", "console/pages/people.py"),  # the 名单 upload
    "matplotlib": ("reporting/heatmap.py",),
    "pydantic_settings": ("bot/config.py",),
    "httpx": ("bot/channels/",),
    "defusedxml": ("bot/channels/wecom.py",),
    "starlette": ("bot/http.py", "console/"),
    "jinja2": ("console/web.py",),
    "markupsafe": ("console/",),
    "argon2": ("console/auth.py",),
    "uvicorn": ("bot/http.py",),
    "openai": ("bot/llm.py", "bot/asr.py"),  # the on-premises models: report prose, voice notes
}
# package -> packages it must never import
FORBIDDEN = {
    "storage": ("handlers", "bot", "analysis", "reporting", "timing", "console"),
    "handlers": ("bot", "console"),
    **{pure: ("handlers", "bot", "console") for pure in PURE},
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def sources() -> list[Path]:
    return [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]


def test_libraries_are_imported_only_where_they_belong() -> None:
    offences = []
    for path in sources():
        relative = path.relative_to(ROOT).as_posix()
        for library in imports(path):
            allowed = ONLY_IN.get(library)
            if allowed and not relative.startswith(allowed):
                offences.append(f"{relative} imports {library}")
    assert offences == []


def test_layers_only_import_downwards() -> None:
    offences = []
    for path in sources():
        relative = path.relative_to(ROOT).as_posix()
        package = relative.split("/")[0]
        for target in imports(path) & set(FORBIDDEN.get(package, ())):
            offences.append(f"{relative} imports {target}")
    assert offences == []


def test_channels_do_not_import_storage_or_each_other() -> None:
    offences = []
    for path in (ROOT / "bot" / "channels").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            own_part = node.module.startswith(f"bot.channels.{path.stem}_")  # telegram.py's telegram_http.py
            if node.module.startswith("storage") or (
                node.module.startswith("bot.channels.") and node.module != "bot.channels.base" and not own_part
            ):
                offences.append(f"{path.name} imports {node.module}")
    assert offences == []


def test_pure_packages_are_pure() -> None:
    """Leaf code: no platform, no database; of storage only its frozen entities."""
    for package in PURE:
        for path in (ROOT / package).glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
            modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            impure = {m for m in modules if m.split(".")[0] in {"bot", "handlers", "sqlalchemy", "telegram", "alembic"}}
            impure |= {m for m in modules if m.startswith("storage") and m != "storage.entities"}
            assert impure == set(), path.name


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_load_nothing_impure_in_a_fresh_interpreter(package: str) -> None:
    """Transitively: importing every module of a pure package loads no database, platform or handler code."""
    modules = sorted(f"{package}.{p.stem}" for p in (ROOT / package).glob("*.py") if p.stem != "__init__")
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlalchemy', 'aiosqlite', 'asyncpg', 'alembic', 'telegram', 'wechatpy', 'httpx', 'aiohttp', 'starlette', 'uvicorn',"
        " 'handlers', 'bot', 'apscheduler', 'pydantic_settings'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{package} loads {result.stdout.strip()}"


def test_user_facing_chinese_lives_in_texts() -> None:
    """Chinese string literals in handlers/ and bot/ only in texts.py (the lexicon is data, not UI)."""
    allowed = {"handlers/texts.py", "console/texts.py", "console/people_texts.py"}
    offences = []
    for path in sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative in allowed or relative.split("/")[0] in ("storage", *PURE):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            for body in [node.body]
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue  # an English docstring may name a 公文 term; what users read is in texts modules
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and any("\u4e00" <= ch <= "\u9fff" for ch in node.value):
                offences.append(f"{relative}:{node.lineno} {node.value[:20]!r}")
    # argparse help strings are operator-facing CLI text and stay beside their options
    offences = [o for o in offences if not o.startswith("bot/cli.py")]
    assert offences == []


def test_storage_uses_no_savepoints() -> None:
    """SQLite's driver would commit unfinished work at RELEASE SAVEPOINT (see storage/db.py)."""
    for path in (ROOT / "storage").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "begin_nested"]
        assert calls == [], path.name
