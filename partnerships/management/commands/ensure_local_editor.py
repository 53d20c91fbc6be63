"""python manage.py ensure_local_editor: a local editor account for development.

Creates (once) the superuser ``editor`` with a random password kept in
``.localdb/editor-password`` and prints the credentials on every run. Refuses to run
with DEBUG off unless ``--force`` is given: production accounts are made deliberately.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

PASSWORD_FILE = Path(settings.BASE_DIR) / ".localdb" / "editor-password"
USERNAME = "editor"


class Command(BaseCommand):
    help = "Create the local editor account (once) and print its credentials."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="also when DEBUG is off")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG is off: use createsuperuser, or --force for a test machine.")
        PASSWORD_FILE.parent.mkdir(exist_ok=True)
        if PASSWORD_FILE.exists():
            password = PASSWORD_FILE.read_text().strip()
        else:
            password = secrets.token_urlsafe(12)
            PASSWORD_FILE.write_text(password + "\n")
            PASSWORD_FILE.chmod(0o600)
        user, _created = get_user_model().objects.get_or_create(
            username=USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if not user.check_password(password):
            user.set_password(password)
            user.is_staff = user.is_superuser = True
            user.save()
        self.stdout.write(f"Local editor account: user '{USERNAME}', password '{password}'")
