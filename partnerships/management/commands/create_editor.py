"""python manage.py create_editor USERNAME [--email E] : an editor account.

Editors belong to the "Editors" group: they add and change every record, publish and
unpublish, record status changes and review suggestions, but never delete. The password
is read from the EDITOR_PASSWORD environment variable or asked for interactively.
"""

import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

EDITORS = "Editors"


class Command(BaseCommand):
    help = "Create an editor account (staff, member of the Editors group, no delete rights)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already a user {username!r}.")
        password = os.environ.get("EDITOR_PASSWORD") or self.ask_password()
        user = User(username=username, email=options["email"], is_staff=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=EDITORS))
        self.stdout.write(f"Editor {username!r} created.")

    def ask_password(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return first
