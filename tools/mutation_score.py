"""Print the mutation score of the last `mutmut run` (make mutants) from its CI/CD stats."""

import json
import sys
from pathlib import Path

stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text())
killed = stats["killed"] + stats.get("timeout", 0)  # a mutant that hangs the tests is caught
# A mutant no selected test runs is one nobody would notice: it counts as surviving.
scored = killed + stats["survived"] + stats.get("no_tests", 0) + stats.get("suspicious", 0)
print(", ".join(f"{name}: {count}" for name, count in stats.items()))
if not scored:
    sys.exit("No mutant was tested: is [tool.mutmut] in pyproject.toml right?")
print(f"Mutation score: {killed} of {scored} mutants killed ({100 * killed / scored:.1f} %).")
