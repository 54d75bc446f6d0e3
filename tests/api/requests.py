"""Requests to the JSON API as a client with a token makes them, and a measurement to send."""

import json


def post(client, slug: str, payload, key: str | None = None):
    headers = bearer(key) if key else {}
    return client.post(
        f"/api/v1/services/{slug}/measurements",
        data=json.dumps(payload) if not isinstance(payload, str) else payload,
        content_type="application/json",
        headers=headers,
    )


ITEM = {
    "metric": "transactions",
    "period_start": "2026-01-01",
    "period_end": "2026-01-31",
    "value": 1200,
    "channel": "digital",
}


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}
