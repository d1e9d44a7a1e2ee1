import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongke.accounts.models import User


class Command(BaseCommand):
    help = "Create a platform admin (sees and manages every organization)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--password", help="Otherwise asked for, or read from GONGKE_ADMIN_PASSWORD."
        )

    def handle(self, *args, username, password=None, **options):
        import os

        password = (
            password or os.environ.get("GONGKE_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        )
        user = User(username=username, is_superuser=True, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        if User.objects.filter(username=username).exists():
            raise CommandError(f"User {username} exists already.")
        user.set_password(password)
        user.save()
        self.stdout.write(f"Platform admin {username} created.")
