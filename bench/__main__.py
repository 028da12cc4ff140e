"""`python -m bench`: the benches and what each measures (the first line of its docstring)."""

import ast
from pathlib import Path

from bench import BENCHES

HERE = Path(__file__).resolve().parent


def main() -> None:
    print("Run one from the repository root: .venv/bin/python -m bench.<name> [--help]\n")
    for name in BENCHES:
        doc = ast.get_docstring(ast.parse((HERE / f"{name}.py").read_text())) or ""
        print(f"  bench.{name:<10} {doc.splitlines()[0] if doc else ''}")


if __name__ == "__main__":
    main()
