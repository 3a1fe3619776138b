"""The ledger of each member firm, the cluster's invoices and credit notes, its billing
profile (the seller's identity on invoices) and the invoice numbering counter.

An issued invoice never changes: the service refuses it, and database triggers (see the
migration ``0002_immutability_triggers``) refuse an UPDATE of an invoice's legal content
or of an invoiced ledger line.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grappe.core.files import private_storage
from grappe.core.models import Cluster, TimeStampedModel
from grappe.core.validators import validate_siret

ZERO = Decimal("0.00")
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
POSTCODE = RegexValidator(r"^\d{5}$", _("Un code postal a 5 chiffres."))
VAT_NUMBER = RegexValidator(
    r"^FR[0-9A-Z]{2}\d{9}$", _("Un numéro de TVA français : FR, 2 caractères, le SIREN.")
)
IBAN = RegexValidator(r"^[A-Z]{2}\d{2}[A-Z0-9 ]{10,36}$", _("IBAN invalide."))
BIC = RegexValidator(
    r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$", _("BIC invalide (8 ou 11 caractères).")
)


class BillingProfile(TimeStampedModel):
    """What a cluster's invoices say of the seller, and its payment terms."""

    cluster = models.OneToOneField(
        Cluster, on_delete=models.CASCADE, related_name="billing_profile"
    )
    legal_name = models.CharField(_("raison sociale"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, validators=[validate_siret])
    address = models.CharField(_("adresse"), max_length=300)
    postcode = models.CharField(_("code postal"), max_length=5, validators=[POSTCODE])
    city = models.CharField(_("ville"), max_length=100)
    vat_number = models.CharField(
        _("numéro de TVA intracommunautaire"), max_length=13, blank=True, validators=[VAT_NUMBER]
    )
    vat_subject = models.BooleanField(
        _("assujettie à la TVA"),
        default=False,
        help_text=_(
            "Sinon, les factures portent la mention « TVA non applicable, art. 293 B du CGI »."
        ),
    )
    default_vat_rate = models.DecimalField(
        _("taux de TVA par défaut (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=PERCENT,
        help_text=_(
            "Appliqué aux charges qui n'indiquent pas de taux, si la grappe est assujettie."
        ),
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        _("délai de paiement (jours)"), default=30, validators=[MaxValueValidator(60)]
    )
    late_penalty_rate = models.DecimalField(
        _("taux des pénalités de retard (% par an)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("12.00"),
        validators=PERCENT,
        help_text=_("Au moins trois fois le taux d'intérêt légal."),
    )
    iban = models.CharField(_("IBAN"), max_length=40, blank=True, validators=[IBAN])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[BIC])
    invoice_footer = models.TextField(_("pied de facture"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("profil de facturation")
        verbose_name_plural = _("profils de facturation")

    def __str__(self) -> str:
        return self.legal_name

    @property
    def siren(self) -> str:
        return self.siret[:9]


class InvoiceSequence(models.Model):
    """The cluster's invoice counter: locked (select_for_update) by the issuing transaction,
    so numbers are unbroken and never given twice."""

    cluster = models.OneToOneField(
        Cluster, on_delete=models.CASCADE, related_name="invoice_sequence"
    )
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de factures")

    def __str__(self) -> str:
        return f"{self.cluster} #{self.last_number}"


class Invoice(TimeStampedModel):
    """An issued invoice or credit note (avoir): numbered, frozen, with its lines in the ledger.

    Totals of a credit note are negative. Seller and buyer identities are copied at issue,
    so a later change of address does not change a past invoice.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Facture")
        CREDIT_NOTE = "credit_note", _("Avoir")

    class Status(models.TextChoices):
        OPEN = "open", _("À payer")
        PAID = "paid", _("Payée")
        CREDITED = "credited", _("Annulée par avoir")
        SETTLED = "settled", _("Avoir émis")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="invoices")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    sequence = models.PositiveIntegerField(_("rang"))
    number = models.CharField(_("numéro"), max_length=20)
    issue_date = models.DateField(_("date"))
    due_date = models.DateField(_("échéance"))
    period_start = models.DateField(_("début de période"))
    period_end = models.DateField(_("fin de période"))
    credited_invoice = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_note",
        verbose_name=_("facture annulée"),
    )
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    seller = models.JSONField(_("vendeur"))
    buyer = models.JSONField(_("client"))
    vat_subject = models.BooleanField(_("assujettie à la TVA"))
    vat_breakdown = models.JSONField(_("TVA par taux"), default=list)
    total_ht = models.DecimalField(_("total HT"), max_digits=12, decimal_places=2)
    total_vat = models.DecimalField(_("TVA"), max_digits=12, decimal_places=2)
    total_ttc = models.DecimalField(_("total TTC"), max_digits=12, decimal_places=2)
    # What changes after issue: payment, reminders, the rendered PDF.
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    paid_amount = models.DecimalField(
        _("montant réglé"), max_digits=12, decimal_places=2, default=ZERO
    )
    reminder_stage = models.PositiveSmallIntegerField(_("relances envoyées"), default=0)
    reminded_on = models.DateField(_("dernière relance le"), null=True, blank=True)
    pdf = models.FileField(upload_to="invoices/", storage=private_storage, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "sequence"], name="billing_invoice_sequence_unique"
            ),
            models.UniqueConstraint(
                fields=["cluster", "number"], name="billing_invoice_number_unique"
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="billing_invoice_seq_pos"),
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="billing_invoice_kind_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["cluster", "organisation", "issue_date"]),
            models.Index(fields=["cluster", "status", "due_date"]),
            models.Index(fields=["cluster", "period_start"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def amount_due(self) -> Decimal:
        if self.kind != self.Kind.INVOICE or self.status != self.Status.OPEN:
            return ZERO
        return self.total_ttc - self.paid_amount

    @property
    def filename(self) -> str:
        prefix = "avoir" if self.is_credit_note else "facture"
        return f"{prefix}-{self.number}.pdf"


class LedgerEntry(TimeStampedModel):
    """One line of a member's account: a charge (from a charge source or a manager), a
    payment received, or a credit (the lines of a credit note).

    ``amount`` is before tax for charges and credits (negative for a credit) and the sum
    received for a payment; ``vat_amount`` is set when the line is invoiced.
    """

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charge")
        PAYMENT = "payment", _("Paiement")
        CREDIT = "credit", _("Avoir")

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Virement")
        DIRECT_DEBIT = "direct_debit", _("Prélèvement")
        CHEQUE = "cheque", _("Chèque")
        CARD = "card", _("Carte bancaire")
        CASH = "cash", _("Espèces")

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="ledger_entries")
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("nature"), max_length=8, choices=Kind.choices)
    category = models.CharField(_("catégorie"), max_length=40, blank=True)
    label = models.CharField(_("libellé"), max_length=300)
    quantity = models.DecimalField(_("quantité"), max_digits=12, decimal_places=3, default=1)
    unit = models.CharField(_("unité"), max_length=20, blank=True)
    unit_price = models.DecimalField(
        _("prix unitaire HT"), max_digits=14, decimal_places=4, default=ZERO
    )
    amount = models.DecimalField(_("montant"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(
        _("taux de TVA"), max_digits=5, decimal_places=2, default=ZERO, validators=PERCENT
    )
    vat_amount = models.DecimalField(_("TVA"), max_digits=12, decimal_places=2, default=ZERO)
    alone_amount = models.DecimalField(
        _("coût seul"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=40, blank=True)
    source_key = models.CharField(max_length=200, blank=True, default="")
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    method = models.CharField(_("moyen"), max_length=12, choices=Method.choices, blank=True)
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("écriture")
        verbose_name_plural = _("écritures")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "source_key"],
                condition=~Q(source_key=""),
                name="billing_entry_source_key_unique",
            ),
            models.CheckConstraint(
                condition=~Q(kind="payment") | Q(amount__gt=0, invoice__isnull=True),
                name="billing_entry_payment_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind="credit") | Q(invoice__isnull=False),
                name="billing_entry_credit_invoiced",
            ),
        ]
        indexes = [
            models.Index(fields=["cluster", "organisation", "date"]),
            models.Index(fields=["cluster", "date"]),
            models.Index(fields=["cluster", "invoice"]),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.label} {self.amount}"

    @property
    def total(self) -> Decimal:
        return self.amount + self.vat_amount

    @property
    def saving(self) -> Decimal | None:
        return None if self.alone_amount is None else self.alone_amount - self.amount


class PaymentAllocation(models.Model):
    """The part of a payment that settles an invoice (oldest open invoices first)."""

    payment = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="allocations")
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("affectation de paiement")
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "invoice"], name="billing_allocation_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice_id}: {self.amount}"
