"""One bet per ticket and integration, in the database (issue 8).

Existing bets get their ticket row: the first bet of each ticket (lowest id). Later bets on a
ticket that already had one (accepted by the race this table closes) keep no row and stay as
they are; `ledger_check` lists them. Ticket rows are immutable like the ledger (the trigger
function of migration 0002).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min

BATCH = 2000


def tickets_of_existing_bets(apps, schema_editor):
    GameTransaction = apps.get_model("wallet", "GameTransaction")
    BetTicket = apps.get_model("wallet", "BetTicket")
    firsts = (GameTransaction.objects.filter(action="bet").values("integration_id", "ticket")
              .annotate(first=Min("pk")).order_by())
    batch = []
    for row in firsts.iterator(chunk_size=BATCH):
        batch.append(BetTicket(bet_id=row["first"], integration_id=row["integration_id"], ticket=row["ticket"]))
        if len(batch) >= BATCH:
            BetTicket.objects.bulk_create(batch)
            batch = []
    BetTicket.objects.bulk_create(batch)



def add_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE TRIGGER wallet_betticket_immutable BEFORE UPDATE OR DELETE ON wallet_betticket "
                              "FOR EACH ROW EXECUTE FUNCTION ledger_row_immutable();")
    elif vendor == "sqlite":  # UPDATE only: Django's test flush on SQLite deletes rows
        schema_editor.execute("CREATE TRIGGER wallet_betticket_immutable BEFORE UPDATE ON wallet_betticket "
                              "BEGIN SELECT RAISE(ABORT, 'ledger rows are immutable'); END;")


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS wallet_betticket_immutable ON wallet_betticket;")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS wallet_betticket_immutable;")


class Migration(migrations.Migration):

    dependencies = [
        ('lobby', '0003_onegaming_catalogue'),
        ('wallet', '0003_wallet_and_system_account_proxies'),
    ]

    operations = [
        migrations.CreateModel(
            name='BetTicket',
            fields=[
                ('bet', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='bet_ticket', serialize=False, to='wallet.gametransaction')),
                ('ticket', models.CharField(max_length=128)),
                ('integration', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='lobby.integration')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('integration', 'ticket'), name='one_bet_per_ticket_and_integration')],
            },
        ),
        migrations.RunPython(tickets_of_existing_bets, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
