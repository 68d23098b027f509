"""Import direction (STYLE.md c.3): platform libraries only in bot/, SQLAlchemy only in storage/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage")

# library -> the only places allowed to import it (a path prefix)
ONLY_IN = {
    "telegram": ("bot/channels/telegram.py",),
    "apscheduler": ("bot/scheduler.py",),
    "wechatpy": ("bot/channels/wecom",),
    "sqlalchemy": ("storage/",),
    "alembic": ("storage/",),
    "jieba": ("handlers/services/text_analysis.py",),
    "opencc": ("handlers/services/text_analysis.py",),
    "docx": ("handlers/services/docx_report.py",),
    "openpyxl": ("handlers/services/xlsx_ledger.py",),
    "matplotlib": ("handlers/services/heatmap.py",),
    "pydantic_settings": ("bot/config.py",),
    "httpx": ("bot/channels/",),
    "defusedxml": ("bot/channels/wecom.py",),
    "starlette": ("bot/http.py",),
    "uvicorn": ("bot/http.py",),
}
# package -> packages it must never import
FORBIDDEN = {"storage": ("handlers", "bot"), "handlers": ("bot",)}


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
            if node.module.startswith("storage") or (
                node.module.startswith("bot.channels.") and node.module != "bot.channels.base"
            ):
                offences.append(f"{path.name} imports {node.module}")
    assert offences == []


def test_services_are_pure() -> None:
    """Leaf code: no platform, no database; of storage only its frozen entities."""
    for path in (ROOT / "handlers" / "services").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        impure = {m for m in modules if m.split(".")[0] in {"bot", "sqlalchemy", "telegram", "alembic"}}
        impure |= {m for m in modules if m.startswith("storage") and m != "storage.entities"}
        impure |= {m for m in modules if m.startswith("handlers") and not m.startswith("handlers.services")}
        assert impure == set(), path.name


def test_user_facing_chinese_lives_in_texts() -> None:
    """Chinese string literals in handlers/ and bot/ only in texts.py (the lexicon is data, not UI)."""
    allowed = {"handlers/texts.py", "handlers/services/lexicon.py"}
    offences = []
    for path in sources():
        relative = path.relative_to(ROOT).as_posix()
        if relative in allowed or relative.startswith("storage/") or relative.startswith("handlers/services/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
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
