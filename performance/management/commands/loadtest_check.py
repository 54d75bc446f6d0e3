"""After the load test: is every write the load tool saw succeed in the database?"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from decisions.models import Decision
from performance.models import HandoffLog


class Command(BaseCommand):
    help = (
        "Read the writes the load test saw succeed (one JSON object a line) and look for each "
        "in the database: hand-off logs by hand-off, week and value, decisions by title. "
        "Fails, naming them, if any is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("writes", type=Path)

    def handle(self, *args, writes: Path, **options) -> None:
        try:
            lines = writes.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise CommandError(f"Cannot read {writes}: {error.strerror}") from None
        handoffs, titles = set(), set()
        for number, line in enumerate(lines, start=1):
            try:
                write = json.loads(line)
                if write["kind"] == "handoff":
                    handoffs.add((write["handoff"], write["week"], write["value"]))
                else:
                    titles.add(write["title"])
            except (ValueError, KeyError) as error:
                raise CommandError(f"{writes}, line {number}: not a write ({error})") from None
        stages = {tuple(int(pk) for pk in pair.split("-")) for pair, _, _ in handoffs}
        found = {
            (f"{start}-{end}", week.isoformat(), value)
            for start, end, week, value in HandoffLog.objects.filter(
                handoff__from_stage_id__in={start for start, _ in stages},
                handoff__to_stage_id__in={end for _, end in stages},
            ).values_list(
                "handoff__from_stage_id", "handoff__to_stage_id", "period_start", "handed_over"
            )
        }
        lost_handoffs = handoffs - found
        lost_titles = titles - set(
            Decision.objects.filter(title__in=titles).values_list("title", flat=True)
        )
        self.stdout.write(
            f"Writes the load test saw succeed: {len(handoffs):,} hand-off logs and "
            f"{len(titles):,} decisions. In the database: "
            f"{len(handoffs) - len(lost_handoffs):,} and {len(titles) - len(lost_titles):,}."
        )
        if lost_handoffs or lost_titles:
            examples = [*sorted(lost_handoffs)[:5], *sorted(lost_titles)[:5]]
            raise CommandError(
                f"{len(lost_handoffs) + len(lost_titles)} writes were lost, e.g. {examples}"
            )
        self.stdout.write(self.style.SUCCESS("No write was lost."))
