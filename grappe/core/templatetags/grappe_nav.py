from django import template

from grappe.core.navigation import links_for

register = template.Library()


@register.inclusion_tag("core/_nav_links.html", takes_context=True)
def cluster_nav(context, menu: str = "main"):
    actor, cluster = context.get("actor"), context.get("cluster")
    request = context.get("request")
    links = links_for(actor, cluster.slug, menu) if actor and cluster else []
    return {"links": links, "menu": menu, "path": request.path if request else ""}
