from django.core.management.base import BaseCommand

from services.actions import service_access_sync


class Command(BaseCommand):
    help = (
        "Bring every service's permissions in step with who leads it and which teams take "
        "part in it. Safe to run at any time."
    )

    def handle(self, *args, **options) -> None:
        granted, revoked = service_access_sync()
        self.stdout.write(f"Service permissions in step: {granted} granted, {revoked} revoked.")
