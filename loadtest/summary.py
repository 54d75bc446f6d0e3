"""Print the load test's figures per kind of request from locust's stats CSV: requests,
failures, p50, p95 and p99 (ms) and requests a second, then all of them together."""

import csv
import sys


def main(path: str) -> None:
    with open(path, encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    print(f"{'request':18}{'count':>8}{'failed':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'per s':>8}")
    for row in rows:
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"{name:18}{row['Request Count']:>8}{row['Failure Count']:>8}{row['50%']:>8}"
            f"{row['95%']:>8}{row['99%']:>8}{float(row['Requests/s']):>8.1f}"
        )


if __name__ == "__main__":
    main(sys.argv[1])
