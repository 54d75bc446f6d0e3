from django.core.management.base import BaseCommand

from performance import outbox


class Command(BaseCommand):
    help = "Send the background work that waited in the outbox while the broker was away."

    def handle(self, *args, **options) -> None:
        sent, waiting = outbox.drain()
        self.stdout.write(f"Sent {sent}; {waiting} still waiting.")
