"""The menus, allergens and diets of the demo (issue 13): real dishes of a Apulian school canteen.

Leporano: a winter and a summer menu of 4 weeks for each school level, diets with their substitutes,
the flagged children on their diet, a gluten-free child in Lucia De Bellis's family and a bland meal.
Pulsano: the winter menu. Called once from demo_seed() (scopes disabled); idempotent.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from comuni.models import Comune
from consumatori.models import Consumatore, TipoScuola, Tutore
from mensa.cutoff import cutoff_datetime
from mensa.menu.diete import dieta_conflicts
from mensa.menu.models import (
    CategoriaDieta,
    CicloMenu,
    DietaConsumatore,
    Ingrediente,
    PastoInBianco,
    PeriodoMenu,
    Piatto,
    PiattoSostitutivo,
    Stagione,
    TipoDieta,
    VoceMenu,
)

from . import data

INGREDIENTI = {
    "pasta di semola di grano duro": ["glutine"], "pasta senza glutine": [], "orecchiette": ["glutine"],
    "pastina": ["glutine"], "riso": [], "passata di pomodoro": [], "olio extravergine d'oliva": [],
    "parmigiano reggiano": ["latte"], "mozzarella": ["latte"], "ricotta": ["latte"], "latte": ["latte"],
    "burro": ["latte"], "uova": ["uova"], "pangrattato": ["glutine"], "farina di grano tenero": ["glutine"],
    "petto di pollo": [], "carne macinata di manzo": [], "fesa di tacchino": [], "prosciutto cotto": [],
    "merluzzo": ["pesce"], "platessa": ["pesce"], "tonno": ["pesce"], "ceci": [], "lenticchie": [],
    "fagioli": [], "piselli": [], "fave": [], "zucca": [], "zucchine": [], "carote": [], "sedano": ["sedano"],
    "patate": [], "spinaci": [], "finocchi": [], "insalata verde": [], "pomodori": [], "cime di rapa": [],
    "mela": [], "pera": [], "arancia": [], "mandarini": [], "banana": [], "pesca": [], "anguria": [],
    "budino alla vaniglia": ["latte"], "yogurt": ["latte"], "crostata di frutta": ["glutine", "uova", "latte"],
    "pane di grano duro": ["glutine"], "pane senza glutine": [], "gallette di mais": [],
    "nocciole": ["frutta_a_guscio"], "cacao": [],
}
PIATTI = {
    # primi
    "Pasta al pomodoro e basilico": ["pasta di semola di grano duro", "passata di pomodoro",
                                     "olio extravergine d'oliva", "parmigiano reggiano"],
    "Orecchiette alle cime di rapa": ["orecchiette", "cime di rapa", "olio extravergine d'oliva"],
    "Minestrone di verdure con pastina": ["pastina", "zucchine", "carote", "sedano", "patate", "fagioli"],
    "Risotto alla zucca": ["riso", "zucca", "parmigiano reggiano", "burro"],
    "Pasta e ceci": ["pasta di semola di grano duro", "ceci", "sedano", "carote", "olio extravergine d'oliva"],
    "Pasta e lenticchie": ["pasta di semola di grano duro", "lenticchie", "sedano", "carote"],
    "Pasta al prosciutto e piselli": ["pasta di semola di grano duro", "prosciutto cotto", "piselli", "latte"],
    "Pasta fredda al pomodoro fresco": ["pasta di semola di grano duro", "pomodori", "olio extravergine d'oliva"],
    "Risotto alle zucchine": ["riso", "zucchine", "parmigiano reggiano"],
    "Crema di fave e cicoria": ["fave", "olio extravergine d'oliva"],
    # secondi
    "Frittata al forno con zucchine": ["uova", "zucchine", "parmigiano reggiano"],
    "Petto di pollo al forno": ["petto di pollo", "olio extravergine d'oliva"],
    "Merluzzo gratinato": ["merluzzo", "pangrattato", "olio extravergine d'oliva"],
    "Polpette di manzo al sugo": ["carne macinata di manzo", "uova", "pangrattato", "parmigiano reggiano",
                                  "passata di pomodoro"],
    "Mozzarella fiordilatte": ["mozzarella"],
    "Fesa di tacchino agli aromi": ["fesa di tacchino", "olio extravergine d'oliva"],
    "Platessa al forno": ["platessa", "olio extravergine d'oliva"],
    "Ricotta fresca": ["ricotta"],
    "Tonno all'olio": ["tonno", "olio extravergine d'oliva"],
    "Cotoletta di pollo al forno": ["petto di pollo", "uova", "pangrattato", "farina di grano tenero"],
    # contorni
    "Carote julienne": ["carote", "olio extravergine d'oliva"],
    "Patate al forno": ["patate", "olio extravergine d'oliva"],
    "Spinaci all'olio": ["spinaci", "olio extravergine d'oliva"],
    "Finocchi in insalata": ["finocchi", "olio extravergine d'oliva"],
    "Insalata verde": ["insalata verde", "olio extravergine d'oliva"],
    "Insalata di pomodori": ["pomodori", "olio extravergine d'oliva"],
    "Zucchine trifolate": ["zucchine", "olio extravergine d'oliva"],
    "Piselli al pomodoro": ["piselli", "passata di pomodoro"],
    # frutta e dessert
    "Mela": ["mela"], "Pera": ["pera"], "Arancia": ["arancia"], "Mandarini": ["mandarini"], "Banana": ["banana"],
    "Pesca": ["pesca"], "Anguria": ["anguria"], "Budino alla vaniglia": ["budino alla vaniglia"],
    "Yogurt alla frutta": ["yogurt"], "Crostata di frutta": ["crostata di frutta"],
    # pane
    "Pane di grano duro": ["pane di grano duro"],
    # substitutes
    "Pasta senza glutine al pomodoro": ["pasta senza glutine", "passata di pomodoro", "olio extravergine d'oliva"],
    "Riso all'olio": ["riso", "olio extravergine d'oliva"],
    "Pane senza glutine": ["pane senza glutine"],
    "Ceci in umido": ["ceci", "passata di pomodoro", "olio extravergine d'oliva"],
    "Frutta fresca di stagione": ["mela"],
    "Merluzzo al forno": ["merluzzo", "olio extravergine d'oliva"],
}
SOSTITUTI_CANDIDATI = {
    # in order of preference: the first that holds nothing the diet excludes becomes the substitute
    "primo": ["Pasta senza glutine al pomodoro", "Riso all'olio"],
    "secondo": ["Petto di pollo al forno", "Merluzzo al forno", "Ceci in umido"],
    "contorno": ["Insalata verde", "Carote julienne"],
    "frutta": ["Frutta fresca di stagione", "Banana"],
    "pane": ["Pane senza glutine"],
}
CARNI = ["petto di pollo", "carne macinata di manzo", "fesa di tacchino", "prosciutto cotto"]
PESCI = ["merluzzo", "platessa", "tonno"]
DIETE = [
    # nome, categoria, allergeni esclusi, ingredienti esclusi, the old free-text note it replaces
    ("Senza glutine (celiachia)", CategoriaDieta.SANITARIA, ["glutine"], [], data.DIETE[0]),
    ("Senza latte e derivati", CategoriaDieta.SANITARIA, ["latte"], [], data.DIETE[1]),
    ("Senza frutta a guscio", CategoriaDieta.SANITARIA, ["frutta_a_guscio"], [], data.DIETE[2]),
    ("Senza carne di maiale", CategoriaDieta.ETICO_RELIGIOSA, [], ["prosciutto cotto"], data.DIETE[3]),
    ("Vegetariana", CategoriaDieta.ETICO_RELIGIOSA, [], CARNI + PESCI, data.DIETE[4]),
    ("Favismo: senza fave e piselli", CategoriaDieta.SANITARIA, [], ["fave", "piselli"], data.DIETE[5]),
]
MENU_INVERNALE = [  # 4 weeks × Monday–Friday: primo, secondo, contorno, frutta
    [("Pasta al pomodoro e basilico", "Frittata al forno con zucchine", "Carote julienne", "Mela"),
     ("Minestrone di verdure con pastina", "Petto di pollo al forno", "Patate al forno", "Arancia"),
     ("Orecchiette alle cime di rapa", "Merluzzo gratinato", "Spinaci all'olio", "Mandarini"),
     ("Risotto alla zucca", "Polpette di manzo al sugo", "Piselli al pomodoro", "Budino alla vaniglia"),
     ("Pasta e ceci", "Mozzarella fiordilatte", "Finocchi in insalata", "Pera")],
    [("Pasta e lenticchie", "Fesa di tacchino agli aromi", "Insalata verde", "Mela"),
     ("Pasta al prosciutto e piselli", "Ricotta fresca", "Carote julienne", "Arancia"),
     ("Minestrone di verdure con pastina", "Platessa al forno", "Patate al forno", "Banana"),
     ("Pasta al pomodoro e basilico", "Cotoletta di pollo al forno", "Spinaci all'olio", "Mandarini"),
     ("Risotto alla zucca", "Tonno all'olio", "Finocchi in insalata", "Crostata di frutta")],
    [("Orecchiette alle cime di rapa", "Polpette di manzo al sugo", "Carote julienne", "Pera"),
     ("Pasta e ceci", "Frittata al forno con zucchine", "Insalata verde", "Mela"),
     ("Minestrone di verdure con pastina", "Merluzzo gratinato", "Patate al forno", "Arancia"),
     ("Pasta al pomodoro e basilico", "Petto di pollo al forno", "Piselli al pomodoro", "Yogurt alla frutta"),
     ("Pasta e lenticchie", "Mozzarella fiordilatte", "Finocchi in insalata", "Mandarini")],
    [("Risotto alla zucca", "Fesa di tacchino agli aromi", "Spinaci all'olio", "Mela"),
     ("Pasta al prosciutto e piselli", "Platessa al forno", "Carote julienne", "Banana"),
     ("Pasta e ceci", "Ricotta fresca", "Insalata verde", "Arancia"),
     ("Orecchiette alle cime di rapa", "Cotoletta di pollo al forno", "Patate al forno", "Pera"),
     ("Minestrone di verdure con pastina", "Tonno all'olio", "Finocchi in insalata", "Budino alla vaniglia")],
]
MENU_ESTIVO = [
    [("Pasta fredda al pomodoro fresco", "Mozzarella fiordilatte", "Insalata di pomodori", "Pesca"),
     ("Risotto alle zucchine", "Petto di pollo al forno", "Carote julienne", "Anguria"),
     ("Pasta al pomodoro e basilico", "Platessa al forno", "Zucchine trifolate", "Banana"),
     ("Crema di fave e cicoria", "Frittata al forno con zucchine", "Insalata verde", "Yogurt alla frutta"),
     ("Pasta e ceci", "Fesa di tacchino agli aromi", "Insalata di pomodori", "Pesca")],
    [("Pasta al prosciutto e piselli", "Tonno all'olio", "Insalata verde", "Anguria"),
     ("Pasta fredda al pomodoro fresco", "Cotoletta di pollo al forno", "Zucchine trifolate", "Mela"),
     ("Risotto alle zucchine", "Ricotta fresca", "Carote julienne", "Pesca"),
     ("Pasta e lenticchie", "Merluzzo gratinato", "Insalata di pomodori", "Banana"),
     ("Pasta al pomodoro e basilico", "Polpette di manzo al sugo", "Patate al forno", "Crostata di frutta")],
]
MENU_ESTIVO = MENU_ESTIVO * 2  # a 4-week summer cycle repeating its first fortnight
PERIODI = {  # Leporano: summer until the end of October and from April, winter in between
    Stagione.ESTIVO: [(datetime.date(2026, 9, 14), datetime.date(2026, 10, 30)),
                      (datetime.date(2027, 4, 1), datetime.date(2027, 6, 9))],
    Stagione.INVERNALE: [(datetime.date(2026, 11, 2), datetime.date(2027, 3, 31))],
}


def _piatti(comune: Comune) -> dict[str, Piatto]:
    ingredienti = {}
    for nome, allergeni in INGREDIENTI.items():
        ingredienti[nome], _ = Ingrediente.objects.update_or_create(
            comune=comune, nome=nome, defaults={"allergeni": allergeni})
    piatti = {}
    for nome, elenco in PIATTI.items():
        piatti[nome], _ = Piatto.objects.get_or_create(comune=comune, nome=nome)
        piatti[nome].ingredienti.set([ingredienti[i] for i in elenco])
    return piatti


def _diete(comune: Comune, piatti: dict[str, Piatto]) -> dict[str, TipoDieta]:
    """The diet types, and the substitute of every menu dish that holds what a diet excludes."""
    diete = {}
    for nome, categoria, allergeni, esclusi, nota in DIETE:
        tipo, _ = TipoDieta.objects.update_or_create(
            comune=comune, nome=nome, defaults={"categoria": categoria, "allergeni_esclusi": allergeni})
        tipo.ingredienti_esclusi.set(Ingrediente.objects.filter(comune=comune, nome__in=esclusi))
        diete[nota] = tipo
    voci = {(p, n) for menu in (MENU_INVERNALE, MENU_ESTIVO) for week in menu for day in week
            for p, n in zip(("primo", "secondo", "contorno", "frutta"), day, strict=True)}
    voci.add(("pane", "Pane di grano duro"))
    for tipo in diete.values():
        for portata, nome in sorted(voci):
            if not dieta_conflicts(dieta=tipo, piatto=piatti[nome]):
                continue
            sostituto = next((piatti[c] for c in SOSTITUTI_CANDIDATI[portata]
                              if c != nome and not dieta_conflicts(dieta=tipo, piatto=piatti[c])), None)
            if sostituto is not None:
                PiattoSostitutivo.objects.update_or_create(
                    comune=comune, piatto=piatti[nome], dieta=tipo, defaults={"sostituto": sostituto})
    return diete


def _cicli(comune: Comune, piatti: dict[str, Piatto], stagioni: list[str]) -> None:
    for livello, etichetta in TipoScuola.choices:
        for stagione in stagioni:
            settimane = MENU_INVERNALE if stagione == Stagione.INVERNALE else MENU_ESTIVO
            nome = f"{'Menù invernale' if stagione == Stagione.INVERNALE else 'Menù estivo'} – {etichetta}"
            ciclo, _ = CicloMenu.objects.update_or_create(
                comune=comune, nome=nome, defaults={"livello": livello, "stagione": stagione,
                                                    "settimane": len(settimane)})
            for dal, al in PERIODI[stagione]:
                PeriodoMenu.objects.update_or_create(
                    comune=comune, ciclo=ciclo, data_inizio=dal, defaults={"data_fine": al, "livello": livello})
            if ciclo.voci.exists():
                continue
            VoceMenu.objects.bulk_create([
                VoceMenu(comune=comune, ciclo=ciclo, settimana=s, giorno_settimana=g, portata=portata,
                         piatto=piatti[nome])
                for s, week in enumerate(settimane, start=1) for g, day in enumerate(week)
                for portata, nome in zip(("primo", "secondo", "contorno", "frutta", "pane"),
                                         (*day, "Pane di grano duro"), strict=True)
            ])


def _diete_consumatori(comune: Comune, diete: dict[str, TipoDieta]) -> None:
    """Children flagged with the old free-text diet follow the matching diet from September."""
    inizio = data.ANNO_SCOLASTICO[1]
    # The data migration named diets after the old notes: the demo replaces them with its own.
    DietaConsumatore.objects.filter(comune=comune, tipo__nome__in=data.DIETE).delete()
    TipoDieta.objects.filter(comune=comune, nome__in=data.DIETE).delete()
    for consumatore in Consumatore.objects.filter(comune=comune, dieta_speciale=True):
        tipo = diete.get(consumatore.note_dieta)
        if tipo is not None:
            DietaConsumatore.objects.get_or_create(
                comune=comune, consumatore=consumatore, tipo=tipo,
                defaults={"data_inizio": inizio, "note": consumatore.note_dieta})


def _famiglia_de_bellis(comune: Comune, diete: dict[str, TipoDieta]) -> None:
    """Lucia De Bellis's primary-school child is coeliac; her youngest asks a bland meal."""
    figli = {t.consumatore.classe.scuola.tipo: t.consumatore for t in Tutore.objects.filter(
        comune=comune, utente__email=f"lucia.debellis@{comune.slug}.example").select_related(
        "consumatore__classe__scuola")}
    if not figli:
        return
    celiaca = figli.get(TipoScuola.PRIMARIA)
    if celiaca is not None:
        DietaConsumatore.objects.get_or_create(
            comune=comune, consumatore=celiaca, tipo=diete[data.DIETE[0]],
            defaults={"data_inizio": data.ANNO_SCOLASTICO[1], "certificato": "ASL Taranto, certificato n. 2026/1187",
                      "note": "Celiachia: nessuna contaminazione da glutine."})
    piccolo = figli.get(TipoScuola.INFANZIA)
    if piccolo is None:
        return
    giorno = timezone.localdate()
    while giorno.weekday() >= 5:
        giorno += datetime.timedelta(1)
    if not PastoInBianco.objects.filter(consumatore=piccolo, giorno=giorno, annullato_il__isnull=True).exists():
        cutoff = cutoff_datetime(comune=comune, giorno=giorno)
        chiesto = min(timezone.now(), cutoff - datetime.timedelta(hours=1))  # before 09:00: in the count
        madre = Tutore.objects.filter(consumatore=piccolo, utente__isnull=False).first()
        PastoInBianco.objects.create(comune=comune, consumatore=piccolo, giorno=giorno, registrato_il=chiesto,
                                     registrato_da=madre.utente)


def seed_menu() -> None:
    """Menus, diets and substitutes of both demo comuni (scopes disabled by the caller)."""
    for comune in Comune.objects.filter(slug__in=["leporano", "pulsano"]):
        piatti = _piatti(comune)
        diete = _diete(comune, piatti)
        stagioni = [Stagione.INVERNALE, Stagione.ESTIVO] if comune.slug == "leporano" else [Stagione.INVERNALE]
        _cicli(comune, piatti, stagioni)
        _diete_consumatori(comune, diete)
        _famiglia_de_bellis(comune, diete)
