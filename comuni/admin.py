"""Admin for the platform, plus the base class every tenant-owned model's admin uses.

The middleware runs each admin request in the scope of the staff member's comune, so the
scoped managers already filter changelists, object lookups and foreign-key choices. The base
class below adds what scoping cannot: the comune of new rows, and a 404 for ids of other comuni.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from .access import PlatformAdminOnly
from .admin_widgets import SafeAutocompleteMixin
from .models import (
    Comune,
    ConsensoPrivacy,
    EventoAccesso,
    Incarico,
    RichiestaCancellazione,
    StatoRichiesta,
    User,
)
from .services import incarico_sync_user


class ComuneScopedAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    """Admin of a model with a `comune` foreign key and a ScopedManager."""

    def _is_platform_admin(self, request) -> bool:
        return request.user.is_superuser

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not self._is_platform_admin(request):
            exclude.append("comune")
        return exclude

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self._is_platform_admin(request):
            filters.insert(0, "comune")
        return filters

    def save_model(self, request, obj, form, change):
        if not self._is_platform_admin(request):
            obj.comune = request.comune
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not self._is_platform_admin(request):
            # model.clean() compares related rows with the comune before save_model runs.
            comune = request.comune

            class ScopedForm(form):
                def _post_clean(self):
                    self.instance.comune = comune
                    super()._post_clean()

            return ScopedForm
        return form

    def has_module_permission(self, request) -> bool:
        return self._is_platform_admin(request) or (
            request.comune is not None and super().has_module_permission(request)
        )

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another comune's id looks exactly like a missing one.
        raise Http404(_("Oggetto non trovato."))


@admin.register(Comune)
class ComuneAdmin(admin.ModelAdmin):
    list_display = ["nome", "slug", "provincia", "codice_fiscale", "attivo"]
    search_fields = ["nome", "slug", "codice_fiscale"]
    prepopulated_fields = {"slug": ["nome"]}
    fieldsets = [
        (None, {"fields": ["nome", "slug", "codice_fiscale", "codice_ipa", "provincia", "attivo", "logo"]}),
        (_("Contatti"), {"fields": ["indirizzo", "cap", "telefono", "email", "pec", "sito_web"]}),
        (
            _("Regole dei servizi"),
            {
                "fields": [
                    "ora_limite_disdetta", "soglia_sospensione_pasti", "soglia_avviso_pasti_debito",
                    "soglia_credito_in_esaurimento", "data_attivazione_mensa", "data_attivazione_trasporto",
                    "email_ristorazione",
                ]
            },
        ),
        (_("Privacy"), {"fields": ["informativa_privacy", "informativa_privacy_versione"]}),
    ]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=request.comune.pk) if request.comune else qs.none()

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return []
        return ["nome", "slug", "codice_fiscale", "codice_ipa", "provincia", "attivo"]

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Oggetto non trovato."))


@admin.register(User)
class UserAdmin(PlatformAdminOnly, DjangoUserAdmin):
    """Accounts span comuni: only the platform administrators manage them directly."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "codice_fiscale", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name", "codice_fiscale"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Dati personali"), {"fields": ["first_name", "last_name", "codice_fiscale", "codice_fiscale_verificato",
                                          "telefono"]}),
        (_("Permessi"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Date"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]



@admin.register(Incarico)
class IncaricoAdmin(PlatformAdminOnly, SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["user", "comune", "ruolo"]
    list_filter = ["comune", "ruolo"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["scuole"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        incarico_sync_user(incarico=form.instance)


def _admin_login(request, extra_context=None):
    """The admin's own login would skip the second factor: send everyone through allauth's."""
    if request.user.is_authenticated:
        return redirect(request.GET.get("next") or "admin:index") if request.user.is_staff else redirect("home")
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


admin.site.login = _admin_login


@admin.register(EventoAccesso)
class EventoAccessoAdmin(admin.ModelAdmin):
    """The audit log of logins, failures and locks: read-only; staff see their comune's entries."""

    list_display = ["quando", "tipo", "email", "indirizzo_ip", "comune", "dettaglio"]
    list_filter = ["tipo"]
    search_fields = ["email", "indirizzo_ip"]
    date_hierarchy = "quando"

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("comune")
        if request.user.is_superuser:
            return qs
        if request.comune is None:
            return qs.none()
        from django.db.models import Q

        # Events on this comune's pages, and any event of an account linked to one of its children.
        with scopes_disabled():
            from consumatori.models import Tutore

            linked = Tutore.objects.filter(comune=request.comune, utente__isnull=False).values("utente_id")
        return qs.filter(Q(comune=request.comune) | Q(utente_id__in=linked))

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser or request.comune is not None and super().has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsensoPrivacy)
class ConsensoPrivacyAdmin(ComuneScopedAdmin):
    list_display = ["utente", "versione", "accettato_il"]
    readonly_fields = ["utente", "versione", "accettato_il"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DecisioneForm(forms.ModelForm):
    decisione = forms.ChoiceField(
        label=_("Decisione"), choices=[("accogli", _("Accogli")), ("respingi", _("Respingi"))],
        widget=forms.RadioSelect,
    )
    motivazione = forms.CharField(label=_("Motivazione"), widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        fields = ["motivazione"]


@admin.register(RichiestaCancellazione)
class RichiestaCancellazioneAdmin(ComuneScopedAdmin):
    """Erasure requests: accepting anonymises the account, keeping the payments."""

    list_display = ["email", "richiesta_il", "stato", "gestita_da", "gestita_il"]
    list_filter = ["stato"]
    readonly_fields = ["utente", "email", "richiesta_il", "stato", "gestita_da", "gestita_il"]
    form = DecisioneForm

    def has_add_permission(self, request) -> bool:
        return False

    def get_fields(self, request, obj=None):
        if obj is not None and obj.stato == StatoRichiesta.IN_ATTESA:
            return ["utente", "email", "richiesta_il", "decisione", "motivazione"]
        return [*self.readonly_fields, "motivazione"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.stato != StatoRichiesta.IN_ATTESA:
            return [*self.readonly_fields, "motivazione"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        from .dati_personali import richiesta_cancellazione_decide

        try:
            richiesta_cancellazione_decide(
                richiesta=obj, staff=request.user, accolta=form.cleaned_data["decisione"] == "accogli",
                motivazione=form.cleaned_data["motivazione"],
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
