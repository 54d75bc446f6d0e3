"""Servicelead under load: 80 % reads (dashboards and the portfolio), 20 % hand-off and
decision writes.

Run by `make loadtest` (see loadtest/run), which names the demo team member's team and
person in LOADTEST_TEAM and LOADTEST_PERSON. Each simulated user signs in as that member,
who may read every open service and write to the showcase service and their team's log.
Every write the server accepts is appended to the file named by LOADTEST_WRITES, so that
`manage.py loadtest_check` can then look for each of them in the database.
"""

import itertools
import json
import os
import random
import re
from datetime import date, timedelta

from locust import HttpUser, between, events, task

PASSWORD = "servicelead-demo"  # noqa: S105 - the demo accounts' documented password
SHOWCASE = "home-improvement-grant"
WRITES = os.environ.get("LOADTEST_WRITES", "var/loadtest/writes.jsonl")
SERVICES = int(os.environ.get("LOADTEST_SERVICES", "2000"))
TEAM = os.environ["LOADTEST_TEAM"]  # the member's team, and the member's person id
PERSON = os.environ["LOADTEST_PERSON"]
# Hand-off rows are written for weeks long before the demo's logs, each (row, week) once a
# run and with figures of this run's own, so that each write changes the row and what it
# left in the database is exactly what it sent.
FIRST_WEEK = date(2015, 1, 5)
SORTS = ["service", "-total_cost", "transactions", "-digital_take_up", "kpis", "-last_data"]
RUN = random.randrange(1, 9_000) * 1000  # noqa: S311 - not a secret
sequence = itertools.count()
signed_in = itertools.count(1)
written = open(WRITES, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run


@events.quitting.add_listener
def _close(**kwargs) -> None:
    written.close()


def record(kind: str, **fields) -> None:
    written.write(json.dumps({"kind": kind, **fields}) + "\n")
    written.flush()


class TeamMember(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.get("/accounts/login/")
        response = self.client.post(
            "/accounts/login/",
            {"username": "member", "password": PASSWORD, "next": "/profile/"},
            headers={"X-CSRFToken": self.client.cookies["csrftoken"]},
            name="sign in",
        )
        response.raise_for_status()
        log = self.client.get(f"/teams/{TEAM}/log/", name="weekly log").text
        self.rows = re.findall(r'id="row-(h\d+-\d+)"', log)
        self.slugs = [f"generated-{n:05d}" for n in range(1, SERVICES + 1) if n % 50]
        if next(signed_in) == self.environment.runner.target_user_count:
            self.environment.runner.stats.reset_all()  # measured from here: all signed in

    def csrf(self) -> dict:
        return {"X-CSRFToken": self.client.cookies["csrftoken"]}

    @task(6)
    def read_a_dashboard(self) -> None:
        slug = random.choice(self.slugs)  # noqa: S311 - picking pages, not secrets
        self.client.get(f"/services/{slug}/dashboard/", name="dashboard")

    @task(2)
    def read_the_portfolio(self) -> None:
        sort = random.choice(SORTS)  # noqa: S311 - picking pages, not secrets
        page = random.randint(1, 10)  # noqa: S311
        self.client.get(f"/portfolio/?sort={sort}&page={page}", name="portfolio")

    @task(1)
    def log_a_handoff(self) -> None:
        n = next(sequence)
        key = self.rows[n % len(self.rows)]
        week = FIRST_WEEK - timedelta(weeks=n // len(self.rows))
        handed_over = RUN + n
        with self.client.post(
            f"/teams/{TEAM}/log/{key}/?week={week.isoformat()}",
            {
                f"{key}-present": "1",
                f"{key}-loaded_at": "none",  # each row and week is written once: a new log
                f"{key}-handed_over": str(handed_over),
                f"{key}-returned": "3",
                f"{key}-median_wait_hours": "12.5",
            },
            headers={**self.csrf(), "HX-Request": "true"},
            name="log a hand-off",
            catch_response=True,
        ) as response:
            if response.status_code == 200 and "Saved" in response.text:
                record("handoff", handoff=key[1:], week=week.isoformat(), value=handed_over)
                response.success()
            else:
                response.failure(f"not saved: {response.status_code}")

    @task(1)
    def log_a_decision(self) -> None:
        title = f"Load test decision {os.getpid()}-{next(sequence)}"
        with self.client.post(
            f"/services/{SHOWCASE}/decisions/new/",
            {
                "form": "quick",
                "title": title,
                "decision_type": self.decision_type(),
                "amount": "1000",
                "decided_on": date.today().isoformat(),
                "decided_by": PERSON,
                "outcome": "Agreed under load.",
            },
            headers=self.csrf(),
            name="log a decision",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                record("decision", title=title)
                response.success()
            else:
                response.failure(f"not logged: {response.status_code}")

    def decision_type(self) -> str:
        if not hasattr(self, "_decision_type"):
            form = self.client.get(f"/services/{SHOWCASE}/decisions/new/", name="new decision")
            self._decision_type = re.search(
                r'<option value="(\d+)"[^>]*>Spend</option>', form.text
            ).group(1)
        return self._decision_type
