"""The Celery app. Tasks are thin: they load their comune and call a service inside its scope."""

from __future__ import annotations

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnibus.settings")

app = Celery("omnibus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class ComuneTask(Task):
    """Base for tasks that act on one comune: the first argument is the comune's id.

    The body runs inside that comune's scope, like a request does, so a task cannot read or
    write another comune's rows by mistake.
    """

    abstract = True

    def __call__(self, comune_id: int, *args, **kwargs):
        from django_scopes import scope

        from comuni.models import Comune

        comune = Comune.objects.get(pk=comune_id)
        with scope(comune=comune):
            return super().__call__(comune, *args, **kwargs)
