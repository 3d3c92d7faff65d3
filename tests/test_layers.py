"""The layers, read from the source with `ast`: each imports only layers below its own, and
no module imports itself back through others.

    wire, games   pure: bytes and events, turn rules; the rules of each game
    session       the conversation as its user lives it (no sockets, no terminal)
    net           sockets, the reactor, TLS
    roles         getting a connection: listen, connect, screen strangers, trust
    faces         drawing and keys
    turnchat.py   the command line

Every import counts, also those made inside a function (to keep start-up light) and those
made only for type checkers.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"wire": 0, "games": 1, "session": 2, "net": 3, "roles": 4, "faces": 5, "turnchat": 6}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts == ("turnchat",):
        return "turnchat"
    return "turnchat." + ".".join(part for part in parts if part != "__init__")


def modules() -> dict[str, Path]:
    found = {"turnchat": ROOT / "turnchat.py"}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).glob("*.py")) if layer != "turnchat" else []:
            found[module_name(path)] = path
    return found


def imports_of(path: Path) -> set[str]:
    """The turnchat modules `path` imports, anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name == "turnchat" or name.startswith("turnchat.")}


def layer_of(module: str) -> int:
    parts = module.split(".")
    return LAYERS["turnchat"] if len(parts) == 1 else LAYERS[parts[1]]


GRAPH = {name: {imported for imported in imports_of(path) if imported in modules()}
         for name, path in modules().items()}


def test_every_layer_is_found() -> None:
    layers = {layer_of(name) for name in GRAPH}
    assert layers == set(LAYERS.values())
    assert len(GRAPH) > 40


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_go_down_only(module: str) -> None:
    upward = sorted(imported for imported in GRAPH[module]
                    if layer_of(imported) > layer_of(module))
    assert not upward, f"{module} imports from a layer above its own: {upward}"


def test_no_import_circle() -> None:
    def circle_from(start: str) -> list[str] | None:
        path, seen = [start], set()

        def walk(module: str) -> list[str] | None:
            for imported in sorted(GRAPH[module]):
                if imported == start:
                    return [*path, start]
                if imported not in seen and not (imported == "turnchat" or
                                                 module.startswith(imported + ".")):
                    seen.add(imported)
                    path.append(imported)
                    if (found := walk(imported)) is not None:
                        return found
                    path.pop()
            return None

        return walk(start)

    circles = [circle for name in sorted(GRAPH) if (circle := circle_from(name))]
    assert not circles, f"import circles: {circles[:3]}"


def test_the_test_catches_an_upward_import(tmp_path: Path) -> None:
    """The deliberately broken variant: a wire module that imports a face is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from turnchat.faces.plain import PlainFace\n")
    assert imports_of(bad) == {"turnchat.faces.plain", "turnchat.faces.plain.PlainFace"}
    assert layer_of("turnchat.faces.plain") > layer_of("turnchat.wire.frames")
