"""Small partial indexes for the admin filters that pick rare rows out of the big tables (issue 24).

The lists are ordered newest first (by id); a filter that matches few rows (deposits and other
non-game transfers; rollbacks; calls of unknown references) otherwise walks the whole table's id
order backwards looking for them. Each index holds only the rare rows (nothing more is written for a
bet or a win) and is built CONCURRENTLY on PostgreSQL (atomic = False), as providers 0004.
"""

from django.db import migrations, models

GAME_KINDS = ["bet", "win", "refund", "reclaim", "reward"]
INDEXES = {
    "transfer": [models.Index(fields=["kind", "id"], condition=~models.Q(kind__in=GAME_KINDS),
                              name="transfer_non_game_kind")],
    "gametransaction": [
        models.Index(fields=["id"], condition=models.Q(action="rollback"), name="game_txn_rollbacks"),
        models.Index(fields=["id"], condition=~models.Q(outcome="applied"), name="game_txn_not_applied"),
    ],
}
SQL = {
    "transfer_non_game_kind": "wallet_transfer (kind, id) WHERE NOT (kind IN ('bet', 'win', 'refund', 'reclaim', "
                              "'reward'))",
    "game_txn_rollbacks": "wallet_gametransaction (id) WHERE action = 'rollback'",
    "game_txn_not_applied": "wallet_gametransaction (id) WHERE NOT (outcome = 'applied')",
}


def indexes_add(apps, schema_editor):
    for model_name, indexes in INDEXES.items():
        for index in indexes:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index.name} ON {SQL[index.name]}")
            else:
                schema_editor.add_index(apps.get_model("wallet", model_name), index)


def indexes_remove(apps, schema_editor):
    for model_name, indexes in INDEXES.items():
        for index in indexes:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}")
            else:
                schema_editor.remove_index(apps.get_model("wallet", model_name), index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("wallet", "0009_ledger_check_mark"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name=model_name, index=index)
                              for model_name, indexes in INDEXES.items() for index in indexes],
            database_operations=[migrations.RunPython(indexes_add, indexes_remove)],
        ),
    ]
