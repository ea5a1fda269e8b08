import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import Studio, Trainer


class Command(BaseCommand):
    help = "Create a trainer account that can sign in with an email address and password."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="The trainer's full name.")
        parser.add_argument("--business", default="", help="Business name shown on reports.")
        parser.add_argument("--password", help="Omit to be asked for it (safer: not kept in shell history).")

    def handle(self, email, name, business, password, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid email address.") from None
        if Trainer.objects.filter(email__iexact=email).exists():
            raise CommandError(f"A trainer with the email {email} already exists.")
        if password is None:
            password = getpass.getpass("Password: ")
        trainer = Trainer(email=email, full_name=name, role=Trainer.OWNER)
        try:
            validate_password(password, trainer)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        trainer.set_password(password)
        with transaction.atomic():  # her own studio, of one until she invites anyone
            trainer.studio = Studio.objects.create(name=business)
            trainer.save()
        self.stdout.write(self.style.SUCCESS(f"Created trainer {email}."))
