"""Demo data for the embedded default: integrations pointing at the sandbox, players, logins.

Safe to repeat: everything is created or updated by a natural key, and deposits use fixed
idempotency keys, so a second run moves no money.
"""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from audit.roles import roles_sync
from lobby.integrations import game_upsert, integration_upsert
from reports.demo_play import demo_rounds_play
from wallet import services
from wallet.money import to_units

# The demo integrations call the sandbox on the server that runs them: `make run PORT=...`
# passes --base-url http://127.0.0.1:$(PORT), and a rerun moves existing integrations there.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
ADMIN = ("admin", "admin-demo-pass")
PLAYERS = [
    # player id, username, login password, enabled, [(currency, opening deposit)]
    ("CLi3000001", "Mikha", "demo-pass-1", True, [("IDR", "1500.00"), ("USD", "100.00")]),
    ("CLi3000002", "Ana", "demo-pass-2", True, [("USD", "250.00")]),
    ("CLi3000003", "Blocked", "demo-pass-3", False, [("IDR", "10.00")]),
]
OPPI_GAMES = [("oppi-crash", "Crash", "CRASH"), ("oppi-mines", "Mines", "MINI"), ("oppi-dice", "Dice", "MINI")]
# Staff logins for each role (the groups themselves are created by the audit app's migration).
STAFF = [
    # username, password, role group
    ("support", "support-demo-pass", "support"),
    ("finance", "finance-demo-pass", "finance"),
]


class Command(BaseCommand):
    help = "Load demo integrations, games, players and logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=DEFAULT_BASE_URL,
                            help="Where the server runs (default %(default)s); the sandbox is under /sandbox.")

    def handle(self, *args, **options):
        base_url = options["base_url"].rstrip("/")
        sandbox = f"{base_url}/sandbox"
        onegaming, _ = integration_upsert(provider="onegaming", code="onegaming-demo", name="1Gaming (sandbox)",
                                          agent_code="DEMO", secret="demo-1g-secret",
                                          api_base_url=f"{sandbox}/onegaming")
        # Transfer mode: the lobby moves money into the sandbox's 1G transfer wallet before opening it.
        onegaming_transfer, _ = integration_upsert(
            provider="onegaming", code="onegaming-transfer", name="1Gaming transfer wallet (sandbox)", mode="transfer",
            agent_code="DEMOTR", secret="demo-1g-transfer-secret", api_base_url=f"{sandbox}/onegaming")
        # Framed like 1G: the lobby's bar above the game is the way back (a player may still choose
        # "Opens in this window" in the preferences).
        oppi, _ = integration_upsert(provider="oppi", code="oppi-demo", name="Oppi Games (sandbox)",
                                     api_key="demo-oppi-key", secret="demo-oppi-secret", api_base_url=f"{sandbox}/oppi",
                                     launch_method="iframe")
        for game_id, name, category in OPPI_GAMES:
            game_upsert(integration=oppi, game_id=game_id, name=name, category=category, brand="Oppi")

        user_model = get_user_model()
        for external_id, username, password, enabled, wallets in PLAYERS:
            player, accounts, _ = services.player_upsert(
                external_id=external_id, username=username, currencies=[c for c, _ in wallets], enabled=enabled,
                reason="demo data")
            for account, (currency, amount) in zip(accounts, wallets, strict=True):
                services.wallet_deposit(wallet=account, amount=to_units(amount), key=f"demo-deposit:{external_id}:{currency}",
                                        memo="demo opening balance")
            user, created = user_model.objects.get_or_create(username=username.lower())
            if created:
                user.set_password(password)
                user.save()
            if player.user_id != user.pk:
                player.user = user
                player.save(update_fields=["user"])

        roles_sync(Group, Permission)  # the migration made them; this keeps a flushed database usable too
        for username, password, role in STAFF:
            staff, created = user_model.objects.get_or_create(username=username, defaults={"is_staff": True})
            if created:
                staff.set_password(password)
                staff.save()
            staff.groups.add(Group.objects.get(name=role))
        admin, created = user_model.objects.get_or_create(username=ADMIN[0], defaults={"is_staff": True,
                                                                                     "is_superuser": True})
        if created:
            admin.set_password(ADMIN[1])
            admin.save()
        # A few days of rounds through the real gameplay services, so every report has numbers.
        played = demo_rounds_play()
        self.stdout.write(json.dumps({"integrations": [onegaming.code, onegaming_transfer.code, oppi.code],
                                      "players": [p[0] for p in PLAYERS], "rounds": played}))
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready. Admin: {base_url}/admin/ as {ADMIN[0]} / {ADMIN[1]}; "
            f"support: support / {STAFF[0][1]}; finance: finance / {STAFF[1][1]}; "
            f"player pages: {base_url}/ as mikha / demo-pass-1 or ana / demo-pass-2."))
