from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from gongke.ops.backup import backup


class Command(BaseCommand):
    help = "Write a consistent copy of the database to FILE (SQLite backup API or pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")

    def handle(self, *args, file=None, **options):
        from django.conf import settings

        target = (
            Path(file)
            if file
            else settings.DATA_DIR
            / "backups"
            / timezone.now().strftime("gongke-%Y%m%d-%H%M%S.backup")
        )
        backup(target)
        self.stdout.write(f"Backup written to {target}")
