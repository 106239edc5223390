"""Staff roles (spec operations.md, "Staff roles"), created by migration 0002_roles and kept complete
after every migrate (a later migration may add models, so permissions).

- support: reads every list and page (secrets and live tokens are hidden from everyone by the
  admin itself); disables and enables players with a reason.
- finance: what support can; reports and CSV; wallet limits; balance adjustments (above a set
  amount a second finance user approves); runs the ledger check and reconciliation.
- admin: everything, incl. integrations and their (write-only) secrets, but EXPLICIT_ONLY.
"""

from __future__ import annotations

# Apps whose every model support may read.
READ_APPS = ("core", "wallet", "lobby", "providers", "transfers", "audit")
SUPPORT_EXTRA = ("wallet.change_player_state",)
FINANCE_EXTRA = (
    "wallet.change_wallet",  # limits
    "wallet.adjust_wallet",
    "wallet.add_adjustmentrequest",
    "wallet.view_adjustmentrequest",
    "wallet.approve_adjustmentrequest",
    "audit.run_checks",
    "transfers.change_transferorder",  # retry / resolve an order (with a reason)
    "transfers.change_reconciliationdifference",  # close a difference with a note
)
FINANCE_APPS = ("reports",)  # every permission of these apps (report pages, CSV)
# No role has these: each is granted to a named user or group on purpose (issue 25). Seeing live
# launch credentials in full (tokens, launch URLs with a token in them) lets one play a player's money.
EXPLICIT_ONLY = ("lobby.view_live_credentials",)


def _perms(Permission, *, apps=(), view_apps=(), names=()):
    query = Permission.objects.none()
    if view_apps:
        query = query | Permission.objects.filter(content_type__app_label__in=view_apps, codename__startswith="view_")
    if apps:
        query = query | Permission.objects.filter(content_type__app_label__in=apps)
    for name in names:
        app_label, codename = name.split(".")
        query = query | Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return list(query.select_related("content_type"))


def roles_sync(Group, Permission) -> dict[str, int]:
    """Create or complete the three groups; returns how many permissions each has."""
    support = _perms(Permission, view_apps=READ_APPS, names=SUPPORT_EXTRA)
    finance = support + _perms(Permission, apps=FINANCE_APPS, names=FINANCE_EXTRA)
    roles = {"support": support, "finance": finance, "admin": list(Permission.objects.select_related("content_type"))}
    counts = {}
    explicit = set(EXPLICIT_ONLY)
    for name, permissions in roles.items():
        permissions = [p for p in permissions if f"{p.content_type.app_label}.{p.codename}" not in explicit]
        group, _ = Group.objects.get_or_create(name=name)
        # One granted by hand to the role stays granted.
        permissions += [p for p in group.permissions.select_related("content_type")
                        if f"{p.content_type.app_label}.{p.codename}" in explicit]
        group.permissions.set(permissions)
        counts[name] = len(set(permissions))
    return counts


def roles_sync_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    if sender.name != "audit" or apps is None:
        return
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    roles_sync(Group, Permission)
