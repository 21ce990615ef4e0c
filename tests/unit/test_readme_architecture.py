"""The README's architecture map names every module a reader would look for."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _architecture_map() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Architecture", 1)[1]
    return section.split("```", 2)[1]


def test_the_architecture_map_names_every_entrypoint_module_and_adapter_package() -> None:
    shown = _architecture_map()
    modules = [
        p.relative_to(ROOT / "entrypoints").as_posix()
        for p in (ROOT / "entrypoints").rglob("*.py")
        if p.name != "__init__.py"
    ]
    packages = [p.name for p in (ROOT / "adapters").iterdir() if (p / "__init__.py").exists()]
    missing = [m for m in modules if Path(m).name not in shown]
    missing += [f"adapters/{p}/" for p in packages if f"{p}/" not in shown]
    assert missing == []
