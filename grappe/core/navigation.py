"""Links of the cluster navigation, registered by each app from ``AppConfig.ready()``,
so that base.html needs no edit when an app is added."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavLink:
    label: str  # lazily translated
    url_name: str  # takes cluster_slug
    access: str  # "public", "insider", "member", "manager", "staff"
    order: int = 100
    menu: str = "main"  # "main" (top bar) or "manage" (the managers' menu)


_links: list[NavLink] = []


def register_nav(link: NavLink) -> None:
    if link not in _links:
        _links.append(link)


def links_for(actor, cluster_slug: str, menu: str) -> list[dict]:
    from grappe.core.mixins import allowed

    return [
        {"label": link.label, "url": reverse(link.url_name, kwargs={"cluster_slug": cluster_slug})}
        for link in sorted(_links, key=lambda item: (item.order, str(item.label)))
        if link.menu == menu and allowed(actor, link.access)
    ]
