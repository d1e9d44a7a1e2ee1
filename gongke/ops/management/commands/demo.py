from django.core.management.base import BaseCommand, CommandError

from gongke.ops.demo import load_demo, print_logins
from gongke.registry.models import Organization


class Command(BaseCommand):
    help = "Load the demo county (fictional, the same every time) into an empty database."

    def handle(self, *args, **options):
        if Organization.objects.exists():
            raise CommandError(
                "The database already holds organizations; the demo loads only into an empty one."
            )
        county = load_demo()
        self.stdout.write(
            f"Demo county loaded: {len(county.chambers)} chambers, "
            f"{len(county.enterprises)} enterprises, {len(county.areas)} compounds and villages, "
            f"{len(county.posts)} duty posts."
        )
        print_logins()
