"""Fail when a view is longer than ``MOST`` lines (``make lint``): a view takes the request,
asks the queries, actions and access helpers, and renders; anything longer holds a rule that
belongs in one of them. A view that must stay longer says why in a ``# long view:`` comment on
its ``def`` line."""

import ast
import sys
from pathlib import Path

MOST = 30
ROOT = Path(__file__).resolve().parent.parent
APPS = ("services", "decisions", "performance", "home", "opendata", "api", "servicelead")


def long_views() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("views.py")):
            source = path.read_text()
            lines = source.splitlines()
            for node in ast.parse(source).body:
                if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                    continue
                length = node.end_lineno - node.lineno + 1
                if length > MOST and "# long view:" not in lines[node.lineno - 1]:
                    found.append(
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines"
                    )
    return found


if __name__ == "__main__":
    problems = long_views()
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(f"{len(problems)} views longer than {MOST} lines: move their rules out.")
