"""E-mails: rendered from templates, sent after commit, with an unsubscribe link.

Every e-mail carries a signed unsubscribe link (and the ``List-Unsubscribe``
header). People who unsubscribed get only the e-mails they cannot do without
(``essential=True``: invitations, password resets, invoices).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from grappe.core.models import User

UNSUBSCRIBE_SALT = "grappe.unsubscribe"


def unsubscribe_token(email: str) -> str:
    return signing.dumps(email.lower(), salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_email_from_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def absolute_url(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


def unsubscribe_url(email: str) -> str:
    return absolute_url(reverse("core:unsubscribe", kwargs={"token": unsubscribe_token(email)}))


def build_email(
    *, to: str, subject: str, template: str, context: dict, language: str = "fr"
) -> EmailMultiAlternatives:
    link = unsubscribe_url(to)
    ctx = {**context, "unsubscribe_url": link, "base_url": settings.BASE_URL}
    with translation.override(language):
        text = _render_text(f"{template}.txt", ctx)
        html = render_to_string(f"{template}.html", ctx) if _exists(f"{template}.html") else None
    message = EmailMultiAlternatives(
        subject=subject.strip(),
        body=text,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def _render_text(name: str, context: dict) -> str:
    """Plain-text bodies are not HTML: no escaping (d'Or, not d&#x27;Or; & in links)."""
    from django.template import Context
    from django.template.loader import get_template

    return get_template(name).template.render(Context(context, autoescape=False))


def _exists(name: str) -> bool:
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def send_email_on_commit(
    *, to: str, subject: str, template: str, context: dict, essential: bool = False
) -> None:
    """Queue an e-mail to go once the current transaction commits."""
    user = User.objects.filter(email__iexact=to).only("emails_opted_out_at", "language").first()
    if user is not None and user.emails_opted_out_at and not essential:
        return
    language = user.language if user else "fr"

    def _send() -> None:
        build_email(
            to=to, subject=subject, template=template, context=context, language=language
        ).send()

    transaction.on_commit(_send)
