"""Move the old free-text diet (Consumatore.dieta_speciale + note_dieta) into diets with dates.

Each distinct note becomes a TipoDieta of its comune (named by the note; allergens guessed from
well-known words, for staff to check), and each flagged consumer gets that diet from the day the
consumer was created, with the note kept for the kitchen.
"""

from django.db import migrations

PAROLE_ALLERGENI = {
    "glutine": "glutine", "celiac": "glutine", "latte": "latte", "lattosio": "latte",
    "guscio": "frutta_a_guscio", "noci": "frutta_a_guscio", "nocciol": "frutta_a_guscio",
    "mandorl": "frutta_a_guscio", "uova": "uova", "uovo": "uova", "pesce": "pesce", "arachid": "arachidi",
    "soia": "soia", "crostace": "crostacei", "sedano": "sedano", "senape": "senape", "sesamo": "sesamo",
    "solfit": "solfiti", "lupin": "lupini", "mollusc": "molluschi",
}
PAROLE_ETICHE = ("maiale", "vegetarian", "vegan", "religios", "senza carne", "etic")
ORDINE = [
    "glutine", "crostacei", "uova", "pesce", "arachidi", "soia", "latte", "frutta_a_guscio", "sedano",
    "senape", "sesamo", "solfiti", "lupini", "molluschi",
]
NOME_GENERICO = "Dieta speciale (da completare)"


def _tipo_for(nota: str) -> tuple[str, str, list[str]]:
    testo = nota.lower()
    nome = (nota.strip().splitlines() or [""])[0][:100] or NOME_GENERICO
    if any(p in testo for p in PAROLE_ETICHE):
        return nome, "etico_religiosa", []
    allergeni = {a for parola, a in PAROLE_ALLERGENI.items() if parola in testo}
    return nome, "sanitaria", [a for a in ORDINE if a in allergeni]


def forward(apps, schema_editor):
    Consumatore = apps.get_model("consumatori", "Consumatore")
    TipoDieta = apps.get_model("mensa", "TipoDieta")
    DietaConsumatore = apps.get_model("mensa", "DietaConsumatore")
    # Historical models use plain managers: no comune scope is needed here.
    for consumatore in Consumatore._base_manager.filter(dieta_speciale=True).order_by("pk"):
        nome, categoria, allergeni = _tipo_for(consumatore.note_dieta or "")
        tipo, _ = TipoDieta._base_manager.get_or_create(
            comune_id=consumatore.comune_id, nome=nome,
            defaults={"categoria": categoria, "allergeni_esclusi": allergeni},
        )
        if not DietaConsumatore._base_manager.filter(consumatore_id=consumatore.pk, tipo_id=tipo.pk).exists():
            DietaConsumatore._base_manager.create(
                comune_id=consumatore.comune_id, consumatore_id=consumatore.pk, tipo_id=tipo.pk,
                data_inizio=consumatore.creato_il.date(), note=consumatore.note_dieta or "",
            )


class Migration(migrations.Migration):
    dependencies = [
        ("mensa", "0002_menu_allergeni_diete"),
        ("consumatori", "0002_collegamento_famiglie"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
