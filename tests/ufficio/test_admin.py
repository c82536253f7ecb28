"""The office's settings and registers in the admin: each comune its own, the registers read-only."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scope

from ufficio.models import ImpostazioniSolleciti


def test_staff_edit_their_reminder_texts_and_read_the_registers(bob_client, dora_client, leporano, pulsano):
    with scope(comune=pulsano):
        altrui = ImpostazioniSolleciti.objects.create(comune=pulsano)
    add = bob_client.post(reverse("admin:ufficio_impostazionisolleciti_add"), {
        "testo_primo": "Primo {nome} {debito}", "testo_secondo": "Secondo", "testo_messa_in_mora": "Mora",
        "giorni_tra_livelli": "20", "giorni_per_pagare": "10"})
    assert add.status_code == 302
    with scope(comune=leporano):
        assert ImpostazioniSolleciti.objects.get().giorni_tra_livelli == 20
    url = reverse("admin:ufficio_impostazionisolleciti_change", args=[altrui.pk])
    assert bob_client.get(url).status_code in (302, 404)  # another comune's row is not found
    for name in ("sollecito", "correzionepasto"):
        assert bob_client.get(reverse(f"admin:ufficio_{name}_changelist")).status_code == 200
        assert bob_client.get(reverse(f"admin:ufficio_{name}_add")).status_code == 403
