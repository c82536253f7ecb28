from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_role_groups(sender, **kwargs) -> None:
    # post_migrate is sent once per app, and an app's permissions exist only after its own signal:
    # syncing every time (a few queries) leaves the groups complete after the last one.
    from .services import role_groups_sync

    role_groups_sync()


def _connect_stamps() -> None:
    """Every save or delete of a project model bumps the version stamps of the family pages it shows on.

    Connected per model (not for every sender), so that other apps' bulk deletes (expired sessions)
    stay fast deletes.
    """
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from omnibus import stamps

    for label in stamps.PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            post_save.connect(stamps._changed, sender=model, dispatch_uid=f"stamps.save.{model._meta.label}")
            post_delete.connect(stamps._changed, sender=model, dispatch_uid=f"stamps.delete.{model._meta.label}")
    m2m_changed.connect(stamps._m2m_changed, dispatch_uid="stamps.m2m")


class ComuniConfig(AppConfig):
    name = "comuni"
    verbose_name = "Comuni"

    def ready(self) -> None:
        # Permissions are created by post_migrate too; run after the last app has migrated.
        post_migrate.connect(_sync_role_groups, dispatch_uid="comuni.role_groups")
        from . import signals  # noqa: F401  (audit log receivers)

        _connect_stamps()

