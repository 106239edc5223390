"""Currencies of the 1G seed, and triggers that make ledger rows immutable in the database.

PostgreSQL refuses UPDATE and DELETE of transfers and game transactions (TRUNCATE, used by
test flushes and never by the app, stays possible). SQLite refuses UPDATE only, because
Django's test flush on SQLite deletes rows.
"""

from django.db import migrations

from wallet.reference import currencies_load

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_row_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are immutable: %% on %%', TG_OP, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
"""
TABLES = ("wallet_transfer", "wallet_gametransaction")


def load_currencies(apps, schema_editor):
    currencies_load(apps.get_model("wallet", "Currency"))


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_row_immutable();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'ledger rows are immutable'); END;"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable;")


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_initial")]

    operations = [
        migrations.RunPython(load_currencies, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
