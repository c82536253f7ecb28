"""Who may open what, in one place: the staff second factor, the area decorators, the staff's home.

Every app imports its access checks from here (comuni is the base app). The rule, decided from the
account's role and never from a list of paths:

- An account with a staff role (Incarico ufficio scuola or operatore mensa, a bus route's driver or
  assistant, `is_staff`, a platform administrator) reaches nothing but the pages of `EXEMPT_URL_NAMES`
  (public pages, the second-factor set-up, logout) until its session has passed a second factor
  (`StaffAccessMiddleware`). A new page is closed to such an account without anyone listing it.
- Each staff area has a decorator that reads the role from the database for the comune of the URL and
  checks the second factor again: `ufficio_required`, `operatore_required`, `bordo_required`; platform
  admin pages use `PlatformAdminOnly`. Family pages use `family_login_required`.

The role decision is taken at login and kept in the session (`ACCESSO_SESSION_KEY`), so that a family
request costs no query here (cached family pages are served without loading the account). A session
opened before a role was given keeps its family decision until the next login; the staff decorators
and the admin (`comuni.admin_site.OmnibusAdminSite`) read role and factor from the database on every request.
"""

from __future__ import annotations

import time
from functools import wraps

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from .models import Incarico, Ruolo

SECONDO_FATTORE_RICHIESTO = _(
    "Per il personale del comune l'accesso richiede un secondo fattore: attiva ora l'app di autenticazione (TOTP)."
)

# The only hand-written list: what a staff account without a second factor may still open. URL names
# ("namespace:name"), never paths: public pages, the PWA files, logout and the second-factor set-up.
EXEMPT_URL_NAMES = frozenset({
    "home", "comune_finder", "comune_login", "comune_signup", "comune_privacy", "pagamenti:privacy", "healthz",
    "set_language",
    "menu:pubblico", "menu:mese_pdf",
    "pwa:manifest", "pwa:service_worker", "pwa:offline", "pwa:accessibilita", "pwa:icona", "pwa:icona_maskable",
    "pwa:stemma", "metrics",
    # The platform app and the files the app stores read (public, no session needed).
    "app:assetlinks", "app:apple_app_site_association", "app:manifest", "app:icona", "app:icona_maskable",
    "app:icona_monocromatica", "app:installa",
    "account_logout", "mfa_activate_totp", "account_reauthenticate", "mfa_authenticate",
})

ACCESSO_SESSION_KEY = "omnibus_accesso"
# Where a staff account goes once its second factor is set up (the page it asked for, or its home).
DOPO_FATTORE_SESSION_KEY = "omnibus_dopo_fattore"

AREA_FAMIGLIA = "famiglia"
AREA_PERSONALE = "personale"


# --- roles ------------------------------------------------------------------------------------


def accompagna_linee(user, comune=None) -> bool:
    """Drivers and assistants of a bus route (trasporto.Linea.accompagnatori), read through the relation's
    name so that comuni does not import trasporto; outside any scope: a driver's routes are all his."""
    related = getattr(user, "linee_accompagnate", None)
    if related is None:
        return False
    with scopes_disabled():
        return (related.filter(comune=comune) if comune is not None else related).exists()


def is_staff_account(user) -> bool:
    """Municipal staff, canteen operators, bus drivers and assistants, platform administrators."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Incarico.objects.filter(user=user).exists() or accompagna_linee(user)


def incarico_operatore(*, user, comune) -> Incarico | None:
    """The user's canteen role in this comune (operators and the school office), or None."""
    if not user.is_authenticated or comune is None:
        return None
    return Incarico.objects.filter(
        user=user, comune=comune, ruolo__in=[Ruolo.OPERATORE_MENSA, Ruolo.UFFICIO_SCUOLA]
    ).first()


def is_ufficio(user, comune) -> bool:
    """The comune's Ufficio scuola, or a platform administrator."""
    return user.is_authenticated and (user.is_superuser or Incarico.objects.filter(
        user=user, comune=comune, ruolo=Ruolo.UFFICIO_SCUOLA).exists())


def staff_home_url(user, comune=None) -> str | None:
    """The first page of a staff account: office → cruscotto, operator → attendance, driver → the board,
    platform administrator → the admin. None for a family account."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return reverse("admin:index")
    incarico = Incarico.objects.filter(user=user).select_related("comune").first()
    if incarico is not None:
        name = "ufficio:cruscotto" if incarico.ruolo == Ruolo.UFFICIO_SCUOLA else "mensa:operatore"
        return reverse(name, kwargs={"comune": incarico.comune.slug})
    related = getattr(user, "linee_accompagnate", None)
    if related is not None:
        with scopes_disabled():
            slugs = list(related.values_list("comune__slug", flat=True).distinct())
        if slugs:
            slug = comune.slug if comune is not None and comune.slug in slugs else slugs[0]
            return reverse("trasporto:bordo", kwargs={"comune": slug})
    if user.is_staff:
        return reverse("admin:index")
    return None


# --- the second factor ------------------------------------------------------------------------


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _session_recorded_second_factor(request: HttpRequest) -> bool:
    """allauth records each authentication step in the session: an MFA step means the factor was given."""
    methods = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    return any(isinstance(m, dict) and m.get("method") == "mfa" for m in methods)


def _decide(request: HttpRequest, user) -> dict:
    # An account with an authenticator cannot finish an allauth login (password, SPID/CIE, e-mail link)
    # without giving its code: its authenticator stands for the step in sessions allauth did not record.
    staff = is_staff_account(user)
    fattore = staff and (_session_recorded_second_factor(request) or has_second_factor(user))
    return {"utente": str(user.pk), "staff": staff, "fattore": bool(fattore), "nav": _nav_of(user) if staff else None}


def access_decide_at_login(request: HttpRequest, user) -> None:
    """Take the role decision of a new session (user_logged_in); nothing is asked of the account later."""
    request.session[ACCESSO_SESSION_KEY] = _decide(request, user)


def access_second_factor_changed(request: HttpRequest, user) -> None:
    """An authenticator was added or removed in this session: decide again."""
    if request is not None and hasattr(request, "session"):
        request.session[ACCESSO_SESSION_KEY] = _decide(request, user)


def session_access(request: HttpRequest) -> dict | None:
    """The session's decision ({"staff", "fattore"}), None when nobody is logged in. No query for a
    session decided at login; an older session is decided once, here."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return None
    decision = session.get(ACCESSO_SESSION_KEY)
    if isinstance(decision, dict) and decision.get("utente") == str(user_id):
        return decision
    if not request.user.is_authenticated:
        return None
    decision = session[ACCESSO_SESSION_KEY] = _decide(request, request.user)
    return decision


def second_factor_passed(request: HttpRequest) -> bool:
    """For the staff decorators and the admin: the session's decision, else the database (a role given
    after this session's login)."""
    decision = session_access(request)
    if decision is not None and decision["fattore"]:
        return True
    return _session_recorded_second_factor(request) or has_second_factor(request.user)


def _exempt(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # nothing there: the 404 page
    return match.view_name in EXEMPT_URL_NAMES


def _to_second_factor_setup(request: HttpRequest) -> HttpResponse:
    """A page: to the TOTP set-up, coming back to it afterwards. Anything else (a form sent, a sync
    call, an htmx fragment): 403 with the reason, nothing done."""
    if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request"):
        return HttpResponseForbidden(str(SECONDO_FATTORE_RICHIESTO), content_type="text/plain; charset=utf-8")
    request.session[DOPO_FATTORE_SESSION_KEY] = request.get_full_path()
    messages.warning(request, SECONDO_FATTORE_RICHIESTO)
    return redirect("mfa_activate_totp")


class StaffAccessMiddleware:
    """A staff session without a second factor reaches only `EXEMPT_URL_NAMES`; everything else leads
    to the TOTP set-up. Runs after authentication and messages, before the tenancy middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        decision = session_access(request)
        if decision is not None and decision["staff"] and not decision["fattore"] and not _exempt(request):
            return _to_second_factor_setup(request)
        return self.get_response(request)


def after_second_factor_url(request: HttpRequest) -> str:
    """Where the TOTP set-up leads: the page the staff account asked for, or its home."""
    target = request.session.pop(DOPO_FATTORE_SESSION_KEY, None)
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return staff_home_url(request.user) or reverse("home")


def fresh_login_may_add_first_factor(request: HttpRequest | None) -> bool:
    """True right after a login (within allauth's reauthentication timeout) of an account without any
    authenticator: setting up its first factor needs no second password prompt. Removing or replacing a
    factor, or anything later, still asks for it."""
    if request is None or not request.user.is_authenticated:
        return False
    methods = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    logins = [m for m in methods if isinstance(m, dict) and m.get("method") in ("password", "socialaccount", "code")]
    if not logins or time.time() - logins[-1].get("at", 0) >= account_settings.REAUTHENTICATION_TIMEOUT:
        return False
    return not Authenticator.objects.filter(user=request.user).exists()


# --- decorators -------------------------------------------------------------------------------


def _to_login(request: HttpRequest) -> HttpResponse:
    comune = getattr(request, "comune", None)
    login_url = reverse("comune_login", kwargs={"comune": comune.slug}) if comune else reverse("account_login")
    return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")


def family_login_required(view):
    """Family pages: anonymous visitors go to the login of the comune in the URL, then back here."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _to_login(request)
        request.area = AREA_FAMIGLIA
        return view(request, *args, **kwargs)

    wrapper.access_area = AREA_FAMIGLIA
    return wrapper


def _staff_area(allowed, *, not_found: bool = False):
    """A staff area: anonymous → login; without the role in the URL's comune → 403 (404 when asked);
    without a second factor → its set-up (the middleware checks first; never rely on one place)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return _to_login(request)
            if not allowed(request):
                raise Http404 if not_found else PermissionDenied
            if not second_factor_passed(request):
                return _to_second_factor_setup(request)
            request.area = AREA_PERSONALE
            return view(request, *args, **kwargs)

        wrapper.access_area = AREA_PERSONALE
        return wrapper

    return decorate


def ufficio_required(view=None, *, not_found: bool = False):
    """The comune's Ufficio scuola (or a platform administrator). `@ufficio_required(not_found=True)`
    answers 404 instead of 403 to everybody else."""
    decorate = _staff_area(lambda request: is_ufficio(request.user, request.comune), not_found=not_found)
    return decorate(view) if view is not None else decorate


def _operatore(request: HttpRequest) -> bool:
    request.incarico = incarico_operatore(user=request.user, comune=request.comune)
    return request.incarico is not None


operatore_required = _staff_area(_operatore)
operatore_required.__doc__ = "Canteen operators and the office of the comune (sets request.incarico)."

bordo_required = _staff_area(lambda request: accompagna_linee(request.user, request.comune), not_found=True)
bordo_required.__doc__ = "Drivers and assistants of a bus route of the comune; anybody else gets 404."


class PlatformAdminOnly:
    """Admin of platform-wide data (accounts, staff roles): superusers only."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


# --- navigation -------------------------------------------------------------------------------


def _nav_of(user) -> dict:
    """What the staff navigation shows (each entry's comune slug, or None), decided at login with the
    role: the header of a staff page costs no query. Access itself is checked by the decorators."""
    incarico = Incarico.objects.filter(user=user).select_related("comune").first()
    with scopes_disabled():
        related = getattr(user, "linee_accompagnate", None)
        bordo = related.values_list("comune__slug", flat=True).first() if related is not None else None
        tutele = getattr(user, "tutele", None)
        famiglia = tutele.values_list("comune__slug", flat=True).first() if tutele is not None else None
    return {
        "home": staff_home_url(user),
        "admin": user.is_staff or user.is_superuser,
        "ufficio": incarico.comune.slug if incarico and incarico.ruolo == Ruolo.UFFICIO_SCUOLA else None,
        "operatore": incarico.comune.slug if incarico else None,
        "bordo": bordo,
        "famiglia": reverse("cittadino:home", kwargs={"comune": famiglia}) if famiglia else None,
    }


def staff_nav(request: HttpRequest) -> dict | None:
    """The session's staff navigation, None for a family account (or a session decided before a role)."""
    decision = session_access(request)
    if decision is None or not decision["staff"]:
        return None
    return decision.get("nav") or None


def area_context(request: HttpRequest) -> dict:
    """Context processor: which navigation the header shows, and the link to the other area for a
    person who is both staff and a parent. No query: everything comes from the session's decision."""
    decision = session_access(request) if getattr(request, "user", None) is not None else None
    if decision is None:
        return {}
    nav = staff_nav(request)
    area = getattr(request, "area", None) or (AREA_PERSONALE if nav else AREA_FAMIGLIA)
    return {"area": area, "ruoli": nav, "staff_home": nav["home"] if nav else None,
            "area_famiglia": nav["famiglia"] if nav else None}
