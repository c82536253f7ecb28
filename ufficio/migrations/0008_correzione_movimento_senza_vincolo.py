import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pagamenti', '0010_movimento_partizioni'),
        ('ufficio', '0007_testi_avviso_pagina_seguente'),
    ]

    # State only: pagamenti 0010 dropped the database key when it partitioned the ledger (SQLite keeps it,
    # its ledger is one table).
    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='correzionepasto',
            name='movimento',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='pagamenti.movimento', verbose_name='movimento'),
        ),
    ])]
