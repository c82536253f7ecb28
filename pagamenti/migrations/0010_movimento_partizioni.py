"""The ledger partitioned by school year on PostgreSQL (pagamenti/partizioni.py says why and how).

PostgreSQL: the table is rebuilt as a partitioned table with the same columns, identity and checks, one
partition per school year that has rows (and the current and next one) plus a DEFAULT partition; every row
is copied, the identity continues after the highest id, the indexes are built again. Its primary key and
unique key gain `data_valuta`, as PostgreSQL requires of a partitioned table's unique indexes. Foreign keys
that point at the ledger (ufficio's CorrezionePasto) are dropped: an id alone is no longer a unique key of
the table (ids still come from one identity, so they stay unique). Reversible: back to one table.

SQLite: only the unique key gains `data_valuta`.

Self-contained: it must run the same in a year, whatever pagamenti/partizioni.py becomes.
"""

import datetime

from django.db import migrations, models

TABELLA = "pagamenti_movimento"


def _anno(giorno: datetime.date) -> int:
    return giorno.year if giorno.month >= 9 else giorno.year - 1


def _indici(cursor, tabella: str) -> list[str]:
    """Definitions of the table's indexes that are not a constraint's (rebuilt as they are)."""
    cursor.execute("""
        SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
        WHERE i.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""", [tabella])
    return [row[0] for row in cursor.fetchall()]


def _chiavi_esterne(cursor) -> None:
    cursor.execute("SELECT conname, conrelid::regclass::text FROM pg_constraint "
                   "WHERE contype = 'f' AND confrelid = %s::regclass", [TABELLA])
    for nome, tabella in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {tabella} DROP CONSTRAINT "{nome}"')


def _chiave_sqlite(apps, schema_editor, campi: list[str]) -> None:
    """SQLite keeps the key inline in its table: the table is remade with the key on these fields (what
    SQLite's schema editor does for any constraint change; the model here is the migration's own copy)."""
    movimento = apps.get_model("pagamenti", "Movimento")
    movimento._meta.constraints = [c for c in movimento._meta.constraints if c.name != "movimento_unico"] + [
        models.UniqueConstraint(fields=campi, name="movimento_unico")]
    schema_editor._remake_table(movimento)


def _partiziona(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        _chiave_sqlite(apps, schema_editor, ["consumatore", "servizio", "chiave", "data_valuta"])
        return
    with schema_editor.connection.cursor() as cursor:
        indici = [d.replace(f" ON public.{TABELLA} ", f" ON {TABELLA} ") for d in _indici(cursor, TABELLA)]
        _chiavi_esterne(cursor)
        cursor.execute(f"ALTER TABLE {TABELLA} RENAME TO {TABELLA}_vecchio")
        cursor.execute(f"CREATE TABLE {TABELLA} (LIKE {TABELLA}_vecchio INCLUDING DEFAULTS INCLUDING IDENTITY "
                       f"INCLUDING CONSTRAINTS) PARTITION BY RANGE (data_valuta)")
        cursor.execute(f"CREATE TABLE {TABELLA}_altri PARTITION OF {TABELLA} DEFAULT")
        cursor.execute(f"SELECT DISTINCT data_valuta FROM {TABELLA}_vecchio")
        oggi = datetime.date.today()
        anni = {_anno(row[0]) for row in cursor.fetchall()} | {_anno(oggi), _anno(oggi) + 1}
        # Only years of this century near today: a stray date stays in the DEFAULT partition.
        for anno in sorted(a for a in anni if _anno(oggi) - 30 <= a <= _anno(oggi) + 1):
            cursor.execute(f"CREATE TABLE {TABELLA}_a{anno:04d} PARTITION OF {TABELLA} "
                           f"FOR VALUES FROM (%s) TO (%s)", [datetime.date(anno, 9, 1), datetime.date(anno + 1, 9, 1)])
        cursor.execute(f"INSERT INTO {TABELLA} SELECT * FROM {TABELLA}_vecchio")  # noqa: S608
        cursor.execute(f"SELECT max(id) FROM {TABELLA}_vecchio")  # noqa: S608
        massimo = cursor.fetchone()[0]
        if massimo is not None:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [TABELLA, massimo])
        cursor.execute(f"DROP TABLE {TABELLA}_vecchio")
        cursor.execute(f"ALTER TABLE {TABELLA} ADD CONSTRAINT {TABELLA}_pkey PRIMARY KEY (id, data_valuta)")
        cursor.execute(f"ALTER TABLE {TABELLA} ADD CONSTRAINT movimento_unico "
                       f"UNIQUE (consumatore_id, servizio, chiave, data_valuta)")
        for definizione in indici:
            cursor.execute(definizione)


def _unisci(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        _chiave_sqlite(apps, schema_editor, ["consumatore", "servizio", "chiave"])
        return
    with schema_editor.connection.cursor() as cursor:
        indici = [d.replace(f" ON public.{TABELLA} ", f" ON {TABELLA} ")
                  .replace(f" ON ONLY public.{TABELLA} ", f" ON {TABELLA} ") for d in _indici(cursor, TABELLA)]
        cursor.execute(f"ALTER TABLE {TABELLA} RENAME TO {TABELLA}_partizionata")
        cursor.execute(f"CREATE TABLE {TABELLA} (LIKE {TABELLA}_partizionata INCLUDING DEFAULTS INCLUDING IDENTITY "
                       f"INCLUDING CONSTRAINTS)")
        cursor.execute(f"INSERT INTO {TABELLA} SELECT * FROM {TABELLA}_partizionata")  # noqa: S608
        cursor.execute(f"SELECT max(id) FROM {TABELLA}")  # noqa: S608
        massimo = cursor.fetchone()[0]
        if massimo is not None:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [TABELLA, massimo])
        cursor.execute(f"DROP TABLE {TABELLA}_partizionata CASCADE")
        cursor.execute(f"ALTER TABLE {TABELLA} ADD CONSTRAINT {TABELLA}_pkey PRIMARY KEY (id)")
        cursor.execute(f"ALTER TABLE {TABELLA} ADD CONSTRAINT movimento_unico UNIQUE (consumatore_id, servizio, chiave)")
        for definizione in indici:
            cursor.execute(definizione)
        cursor.execute("SELECT to_regclass('ufficio_correzionepasto')")
        if cursor.fetchone()[0] is not None:  # the key ufficio 0003 made, as Django makes it
            cursor.execute("ALTER TABLE ufficio_correzionepasto ADD CONSTRAINT "
                           "ufficio_correzionepasto_movimento_id_fk_pagamenti_movimento_id FOREIGN KEY (movimento_id) "
                           f"REFERENCES {TABELLA} (id) DEFERRABLE INITIALLY DEFERRED")


class Migration(migrations.Migration):
    atomic = True

    # After every migration that made a foreign key to the ledger (ufficio's CorrezionePasto), which this
    # one drops: a key to the partitioned table could not be made.
    dependencies = [
        ("pagamenti", "0009_avviso_modello_nazionale"),
        ("ufficio", "0005_stampa_lettere"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="movimento", name="movimento_unico"),
                migrations.AddConstraint(
                    model_name="movimento",
                    constraint=models.UniqueConstraint(fields=("consumatore", "servizio", "chiave", "data_valuta"),
                                                       name="movimento_unico"),
                ),
            ],
            database_operations=[migrations.RunPython(_partiziona, _unisci)],
        ),
    ]
