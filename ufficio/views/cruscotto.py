"""The office's home: today's canteen, debts, money received, open positions, last nightly jobs, charts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comuni.access import ufficio_required

from ..cruscotto import cruscotto_data


@ufficio_required
def cruscotto(request: HttpRequest, comune: str) -> HttpResponse:
    return render(request, "ufficio/cruscotto.html", cruscotto_data(comune=request.comune))
