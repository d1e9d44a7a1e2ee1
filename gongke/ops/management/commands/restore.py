from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongke.ops.backup import restore


class Command(BaseCommand):
    help = "Replace the database with a copy made by `gongke backup` (asks first unless --yes)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, file, yes=False, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        if (
            not yes
            and input(f"Replace the whole database with {path}? Type yes: ").strip() != "yes"
        ):
            raise CommandError("Nothing was restored.")
        restore(path)
        self.stdout.write(f"Database restored from {path}")
