"""Version stamps of what the family pages show, bumped on every write that can change them.

A stamp is a random token in the shared cache (Redis). A cached family page (consumatori.page_cache)
records the stamps it was rendered under and is served only while all of them are unchanged:

- `global`: data of no comune (rare: a model without a comune);
- `comune:<id>`: comune-wide data (the comune and its settings, calendars, menus, tariffs, classes,
  consumers and guardian links) and every bulk job written in SQL (nightly debit, transport fee,
  rollover, imports), which bypasses model signals;
- `utente:<id>`: one account's pages: its name, its payment positions and messages, and every row of
  its children (absences, attendance, ledger movements, enrolments, diets, boardings): a write about a
  child bumps the stamp of each account linked to it (one indexed query), so that reading a page needs
  no stamp per child.

Every ORM save or delete of a model of the project's apps bumps the stamps it touches (`_changed`,
connected in ComuniConfig.ready); code that writes with `update()`, `bulk_create()` or raw SQL calls
`comune_changed` / `consumatori_changed` / `utenti_changed` itself. A stamp is bumped at once (so the
writer's next page is fresh, inside the tests' transaction too) and again when the transaction
commits, so that a page rendered from the pre-commit rows in between is never served afterwards.
A missing stamp (never set, expired, evicted) gets a new token: a page can never match it by chance.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

STAMP_SECONDS = 60 * 60 * 24 * 2
GLOBAL = "stamp:v1:global"

# Apps whose models may show on a family page; writes to other apps' models never bump.
PROJECT_APPS = {"comuni", "consumatori", "mensa", "trasporto", "pagamenti", "notifiche", "iscrizioni", "ufficio"}


# Rows no family page reads, written often (deliveries, kitchen counts, staff bookkeeping): without
# this list they would bump their whole comune and empty its cached pages many times a day.
NOT_ON_FAMILY_PAGES = {
    "notifiche.InvioPush", "notifiche.MessaggioIO", "notifiche.ServizioIO", "notifiche.DispositivoPush",
    "mensa.ConteggioInviato", "mensa.AddebitoEseguito", "trasporto.AddebitoMensilita", "comuni.EventoAccesso",
    "pagamenti.ConfigurazioneRiconciliazione", "pagamenti.FlussoRendicontazione",
    "pagamenti.PagamentoRendicontato", "pagamenti.EstrattoLIS", "pagamenti.RigaEstrattoLIS",
    "ufficio.ImpostazioniSolleciti", "ufficio.InvioSolleciti", "ufficio.Esportazione",
}


def enabled() -> bool:
    """Cached family pages need a cache shared by the web server and the Celery worker (Redis)."""
    return settings.FAMILY_PAGE_CACHE_SECONDS > 0


def comune_key(comune_id: int) -> str:
    return f"stamp:v1:comune:{comune_id}"


def utente_key(user_id: int) -> str:
    return f"stamp:v1:utente:{user_id}"


def _new_token() -> str:
    return secrets.token_hex(8)


def current(keys: list[str]) -> dict[str, str]:
    """The stamps of these keys, in one round trip; missing ones are created with a new token."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = _new_token()
            found[key] = token if cache.add(key, token, STAMP_SECONDS) else cache.get(key, token)
    return found


def _bump_now(keys: set[str]) -> None:
    cache.set_many({key: _new_token() for key in keys}, STAMP_SECONDS)


def _bump(keys: set[str]) -> None:
    if not keys or not enabled():
        return
    _bump_now(keys)
    if not connection.in_atomic_block:
        return
    # Again at commit, once per transaction for all the keys it touched.
    pending = getattr(connection, "_omnibus_stamps_pending", None)
    if pending is None:
        pending = connection._omnibus_stamps_pending = set()

        def flush() -> None:
            keys_at_commit = connection._omnibus_stamps_pending
            connection._omnibus_stamps_pending = None
            _bump_now(keys_at_commit)

        transaction.on_commit(flush)
    pending.update(keys)


def comune_changed(comune_id: int | None) -> None:
    """Comune-wide data changed (or rows of many families, e.g. a bulk job in SQL)."""
    _bump({comune_key(comune_id)} if comune_id is not None else {GLOBAL})


def comuni_changed(comune_ids: Iterable[int]) -> None:
    """comune_changed for many comuni in one round trip (a nightly job over all of them)."""
    _bump({comune_key(pk) for pk in comune_ids})


def _utenti_of(consumatore_ids: set[int]) -> set[str]:
    """The stamps of the accounts linked to these children (any comune's scope: ids only).

    One plain indexed query: it runs on every write about a child (each absence of the 09:00 rush)."""
    from consumatori.models import Tutore

    if not consumatore_ids:
        return set()
    ids = list(consumatore_ids)
    sql = (f"SELECT utente_id FROM {Tutore._meta.db_table} "  # noqa: S608 - the model's table, ids as parameters
           f"WHERE consumatore_id IN ({', '.join(['%s'] * len(ids))}) AND utente_id IS NOT NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return {utente_key(pk) for (pk,) in cursor.fetchall()}


def _utenti_of_iscrizione(iscrizione_id: int | None) -> set[str]:
    from django_scopes import scopes_disabled

    from trasporto.models import Iscrizione

    with scopes_disabled():
        consumatore_id = Iscrizione.objects.filter(pk=iscrizione_id).values_list("consumatore_id", flat=True).first()
    return _utenti_of({consumatore_id} - {None})


def consumatori_changed(consumatore_ids: Iterable[int]) -> None:
    """Rows of these children changed: the pages of every account linked to them."""
    if enabled():
        _bump(_utenti_of({pk for pk in consumatore_ids if pk is not None}))


def utenti_changed(user_ids: Iterable[int]) -> None:
    _bump({utente_key(pk) for pk in user_ids if pk is not None})


def _keys_for(instance) -> set[str]:
    """The stamps a saved or deleted row touches: from its own fields, and for a child its accounts."""
    model = instance._meta
    if model.label == "comuni.Comune":
        return {comune_key(instance.pk)}
    if model.label_lower == settings.AUTH_USER_MODEL.lower():
        return {utente_key(instance.pk)}
    if model.label in NOT_ON_FAMILY_PAGES:
        return set()
    if model.label == "trasporto.Salita":  # a boarding: the child of its enrolment
        return _utenti_of_iscrizione(instance.iscrizione_id)
    if model.label in ("consumatori.Consumatore", "consumatori.Tutore"):
        # Who is linked to whom: rare writes, every page of the comune.
        return {comune_key(instance.comune_id)}
    consumatore_id = getattr(instance, "consumatore_id", None)
    user_ids = {getattr(instance, field, None) for field in ("utente_id", "user_id")} - {None}
    if consumatore_id is None and not user_ids:
        comune_id = getattr(instance, "comune_id", None)
        return {comune_key(comune_id) if comune_id is not None else GLOBAL}
    # A row about a child or an account: only the pages of the accounts concerned.
    keys = {utente_key(pk) for pk in user_ids}
    if consumatore_id is not None:
        keys |= _utenti_of({consumatore_id})
    return keys


def _changed(sender, instance=None, raw=False, **kwargs) -> None:
    if raw or instance is None or sender._meta.app_label not in PROJECT_APPS or not enabled():
        return
    _bump(_keys_for(instance))


def _m2m_changed(sender, instance=None, action="", **kwargs) -> None:
    if action.startswith("post_"):
        _changed(type(instance), instance=instance)
