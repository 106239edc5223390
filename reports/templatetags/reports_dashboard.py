from django import template

from reports.dashboard import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_tiles(context):
    """The admin index's tiles for the signed-in staff user (see reports.dashboard)."""
    return dashboard(context["request"].user)
