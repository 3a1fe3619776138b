"""Demo data of the insights app on the demo cluster « Grappe Musique Paris 18e »:
eighty needs written over twelve months, a satisfaction survey with about forty answers,
a computed radar and twelve monthly snapshots. Seeds nothing twice."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from grappe.core.access import Actor
from grappe.core.models import Cluster, ClusterRole

PARIS_SLUG = "musique-paris-18"
SURVEY_TITLE = "Satisfaction des membres 2026"

# (title, text) — needs as members of a Paris 18e music cluster write them.
NEEDS = [
    (
        "Paie des intermittents",
        "La paie de nos intermittents (GUSO, congés spectacles) nous prend deux jours par mois.",
    ),
    (
        "Gestionnaire de paie",
        "On cherche un gestionnaire de paie qui connaisse les annexes 8 et 10.",
    ),
    (
        "Bulletins de salaire",
        "Qui fait les bulletins de salaire de ses musiciens ? On se trompe à chaque cachet.",
    ),
    (
        "DSN et Audiens",
        "La DSN et les déclarations Audiens nous épuisent, "
        "une paie mutualisée serait un soulagement.",
    ),
    (
        "Cachets des artistes",
        "Nous payons une vingtaine de cachets par mois, le cabinet nous coûte trop cher.",
    ),
    (
        "Attestations employeur",
        "Les attestations employeur pour France Travail arrivent toujours en retard.",
    ),
    (
        "Paie spectacle",
        "Un service de paie partagé entre labels et salles, on signe tout de suite.",
    ),
    (
        "Local de stockage",
        "On cherche 15 m² de stockage pour le backline et les flight cases, près de la Chapelle.",
    ),
    ("Plus de place", "Nos archives et le merch débordent du bureau, il nous faut un box."),
    ("Entrepôt partagé", "Un entrepôt partagé à Saint-Ouen pour stocker décors et matériel ?"),
    (
        "Garde-meubles",
        "Le garde-meubles nous coûte 380 € par mois pour quelques cartons de vinyles.",
    ),
    (
        "Stockage sécurisé",
        "Besoin d'un lieu de stockage sécurisé pour les instruments entre deux tournées.",
    ),
    ("Stock de disques", "Où stocker 3 000 disques sans payer un loyer parisien ?"),
    (
        "Cave pour le matériel",
        "Une cave ou un garage pour ranger amplis et retours, même loin du métro.",
    ),
    (
        "Salle de répétition",
        "Nos groupes manquent de créneaux de répétition en soirée dans le quartier.",
    ),
    (
        "Répétitions",
        "On loue des studios de répétition à l'heure, ça revient très cher sur l'année.",
    ),
    (
        "Résidence de création",
        "Une salle pour une résidence de création d'une semaine au printemps.",
    ),
    ("Filages", "Il nous faut un plateau pour les filages avant la tournée de mars."),
    (
        "Salle insonorisée",
        "Une salle insonorisée partagée entre plusieurs compagnies, louée à l'année ?",
    ),
    (
        "Répéter le soir",
        "Nos élèves adultes voudraient répéter le soir, nous n'avons pas de salle.",
    ),
    (
        "Webmaster",
        "Notre site n'est plus à jour depuis un an, "
        "un webmaster une journée par semaine nous irait.",
    ),
    (
        "Community manager",
        "Les réseaux sociaux du label sont à l'abandon, un community manager partagé ?",
    ),
    ("Instagram et TikTok", "Personne chez nous ne sait faire de vidéos pour Instagram et TikTok."),
    ("Newsletter", "On voudrait une newsletter mensuelle mais personne n'a le temps de l'écrire."),
    ("Site internet", "Refaire notre site internet sous WordPress, qui connaît un développeur ?"),
    ("Identité visuelle", "Besoin d'un graphiste pour l'identité visuelle de notre festival."),
    (
        "Expert-comptable",
        "Nous cherchons un expert-comptable qui connaisse les associations culturelles.",
    ),
    ("Comptabilité", "La comptabilité et le bilan annuel nous coûtent plus de 3 000 € par an."),
    ("Tenue des comptes", "Un comptable mutualisé pour tenir nos comptes et la TVA ?"),
    (
        "Bilan et liasse",
        "Le bilan de l'association et la liasse fiscale, c'est chaque année la panique.",
    ),
    ("Contrats d'artistes", "Besoin d'un avocat pour relire nos contrats d'artiste et de licence."),
    (
        "Droit d'auteur",
        "Des questions de droit d'auteur et de synchronisation, une permanence juridique ?",
    ),
    ("Conseil juridique", "Un juriste partagé pour les contrats de cession et de coproduction."),
    ("Contrat de travail", "Un litige sur un contrat de travail, on ne sait pas à qui demander."),
    ("Camion", "On cherche un utilitaire de 12 m³ pour une tournée de dix jours."),
    ("Véhicule partagé", "Un camion partagé entre membres pour les concerts en région."),
    (
        "Transport du matériel",
        "Le transport du backline jusqu'aux festivals nous coûte une fortune.",
    ),
    (
        "Location de van",
        "Louer un van chaque week-end revient plus cher qu'en posséder un à plusieurs.",
    ),
    ("Sonorisation", "Il nous manque une sono et des retours pour les concerts en extérieur."),
    ("Lumières", "Besoin d'un parc de projecteurs LED pour nos petites salles."),
    ("Matériel de scène", "Un parc de matériel son et lumière commun, prêté entre membres ?"),
    ("Console", "Une console numérique pour la tournée d'automne, à louer ou à partager."),
    ("Dossier CNM", "Première demande au CNM : qui peut relire notre dossier d'aide ?"),
    (
        "Subventions",
        "Les dossiers de subvention de la Ville et de la Région nous prennent un temps fou.",
    ),
    (
        "Appels à projets",
        "Quelqu'un pour monter nos dossiers de subvention et suivre les appels à projets ?",
    ),
    (
        "Aides à la production",
        "On rate des aides à la production phonographique faute de temps pour les dossiers.",
    ),
    ("Stand au MaMA", "Qui veut partager un stand au MaMA cette année ? On diviserait les coûts."),
    ("Salons professionnels", "Aller au Midem et au MaMA en délégation, avec un stand commun."),
    ("Stand collectif", "Un stand collectif de la grappe aux Trans Musicales ?"),
    (
        "Assurance tournée",
        "Notre assurance ne couvre pas le matériel à l'étranger. Une assurance groupée ?",
    ),
    (
        "Assurance matériel",
        "L'assurance des instruments coûte trop cher, un contrat groupé pour les membres ?",
    ),
    (
        "Responsabilité civile",
        "Renouveler notre responsabilité civile organisateur, un tarif de groupe ?",
    ),
    ("Formation MAO", "Former notre équipe à la MAO et à Ableton, en groupe ce serait moins cher."),
    ("Formation sécurité", "La formation SSIAP pour la salle, quelqu'un d'autre doit la faire ?"),
    ("Formations", "Des formations en gestion et en droit du spectacle, financées par l'Afdas."),
    (
        "Bureau partagé",
        "On cherche deux postes de travail dans un bureau partagé près de Marx Dormoy.",
    ),
    ("Coworking", "Un coworking pour les structures de la grappe, avec salle de réunion."),
    ("Bureaux", "Notre bail se termine, un bureau à partager avec un autre label ?"),
    (
        "Distribution numérique",
        "Trouver un distributeur numérique pour nos sorties, seul c'est impossible.",
    ),
    ("Diffusion", "Un chargé de diffusion partagé pour vendre nos spectacles aux programmateurs."),
    ("Booking", "Un booker mutualisé pour placer nos groupes dans les salles de province."),
    ("Billetterie", "Notre billetterie en ligne prend 8 % de commission, une solution commune ?"),
    ("Billetterie en ligne", "Changer de billetterie ensemble pour négocier les frais."),
    (
        "Étude des publics",
        "On aimerait une étude des publics du quartier avant d'ouvrir notre salle.",
    ),
    (
        "Étude de marché",
        "Une étude de marché sur les disquaires indépendants, financée à plusieurs.",
    ),
    (
        "Nuisances sonores",
        "Les voisins se plaignent du bruit des concerts, une isolation phonique ?",
    ),
    ("Voisinage", "Des plaintes de voisinage pour bruit après 22 h, comment s'en sortir ?"),
    ("Bruit et voisins", "Un acousticien pour mesurer le bruit et calmer les voisins."),
    (
        "Accessibilité",
        "Rendre notre salle accessible aux personnes en fauteuil, qui a déjà fait les travaux ?",
    ),
    (
        "Accès PMR",
        "Les normes d'accessibilité PMR pour un établissement recevant du public nous dépassent.",
    ),
    ("Pressage vinyle", "Les délais de pressage vinyle dépassent six mois, un pressage groupé ?"),
    ("Vinyles", "Presser nos vinyles ensemble pour atteindre les quantités minimales."),
    (
        "Garde d'enfants",
        "Une solution de garde d'enfants pendant les concerts du soir pour l'équipe ?",
    ),
    (
        "Enfants et horaires",
        "La garde des enfants les soirs de concert, on cherche une crèche aux horaires décalés.",
    ),
    ("Informatique", "Nos ordinateurs plantent, un informaticien partagé pour la maintenance ?"),
    ("Sauvegardes", "Personne ne s'occupe des sauvegardes et du réseau informatique du studio."),
    ("Énergie", "La facture d'électricité de la salle a doublé, un achat groupé d'énergie ?"),
    ("Électricité", "Comment réduire la consommation d'électricité de nos projecteurs et amplis ?"),
    ("Captation", "On voudrait filmer nos concerts mais une captation coûte trop cher seul."),
    ("Photos de concert", "Un photographe partagé pour les concerts et la presse."),
]

SERVICES = (
    "Salle de répétition partagée",
    "Veille des appels à projets",
    "Stand collectif au MaMA",
)
ACTIVITIES = ("Label ou édition", "Studio", "Salle ou lieu", "Production et tournées", "Autre")
USED = ("Salle de répétition", "Veille des appels à projets", "Stand au MaMA", "Prêt de matériel")
FREE_ANSWERS = [
    "Un local de stockage commun pour le matériel, vraiment.",
    "La paie des intermittents, c'est notre casse-tête.",
    "Un comptable qui connaisse le spectacle.",
    "Un camion partagé pour les tournées.",
    "Plus de créneaux de répétition le soir.",
    "Quelqu'un pour nos réseaux sociaux et la newsletter.",
    "Des dossiers de subvention montés à plusieurs.",
    "Un achat groupé d'assurance pour le matériel.",
    "",
    "",
]


def _paris_cluster() -> Cluster | None:
    return Cluster.objects.filter(slug=PARIS_SLUG).first()


def seed() -> list[str]:
    from grappe.insights.models import RadarRun, Survey

    cluster = _paris_cluster()
    if cluster is None:
        return []
    if Survey.objects.filter(cluster=cluster, title=SURVEY_TITLE).exists():
        return []
    rng = random.Random(2026)  # noqa: S311 - demo data
    lines = []
    with transaction.atomic():
        posts = _needs(cluster, rng)
        answers = _survey(cluster, rng)
    from grappe.insights import services

    run = services.radar_compute(run=RadarRun.objects.create(cluster=cluster))
    written = services.snapshots_backfill(
        by=Actor.system(cluster), until=timezone.localdate(), months=12
    )
    lines.append(
        f"Analyses : {posts} besoins sur 12 mois, {answers} réponses au questionnaire, "
        f"radar de {run.theme_count} thèmes, {written} relevés mensuels."
    )
    return lines


def _active_orgs(cluster):
    from grappe.members.models import Membership, Organisation

    return list(
        Organisation.objects.filter(
            memberships__cluster=cluster, memberships__status=Membership.Status.ACTIVE
        ).order_by("name")
    )


def _needs(cluster, rng: random.Random) -> int:
    from grappe.members.models import Post

    orgs = _active_orgs(cluster)
    now = timezone.now()
    visibilities = ["cluster"] * 6 + ["public"] * 2 + ["managers"] * 2
    for index, (title, text) in enumerate(NEEDS):
        post = Post.objects.create(
            cluster=cluster,
            organisation=orgs[rng.randrange(len(orgs))],
            kind=Post.Kind.NEED,
            title=title,
            text=text,
            visibility=visibilities[index % len(visibilities)],
        )
        # spread over the last twelve months, more of them lately
        days = int(rng.triangular(2, 360, 60))
        Post.objects.filter(pk=post.pk).update(
            created_at=now - dt.timedelta(days=days, hours=rng.randrange(9, 19))
        )
    return len(NEEDS)


def _survey(cluster, rng: random.Random) -> int:
    from grappe.insights import services
    from grappe.insights.models import Question, SurveyResponse

    manager_role = ClusterRole.objects.filter(cluster=cluster, role="manager").first()
    manager = Actor(
        cluster=cluster,
        user=manager_role.user if manager_role else None,
        roles=frozenset({"manager"}),
    )
    survey = services.survey_create(
        by=manager,
        title=SURVEY_TITLE,
        description=(
            "Dix questions, cinq minutes : dites-nous ce que la grappe vous apporte et ce "
            "qu'elle devrait mutualiser ensuite."
        ),
        closes_on=timezone.localdate() + dt.timedelta(days=21),
    )
    services.question_add(
        survey=survey,
        by=manager,
        kind="single",
        label="Votre activité principale",
        choices=ACTIVITIES,
    )
    services.question_add(
        survey=survey,
        by=manager,
        kind="multiple",
        label="Les services de la grappe que vous avez utilisés cette année",
        choices=USED,
    )
    for service in SERVICES:
        services.question_add(
            survey=survey,
            by=manager,
            kind="recommend",
            label=f"Recommanderiez-vous « {service} » à une structure amie ?",
            service=service,
        )
    services.question_add(
        survey=survey,
        by=manager,
        kind="scale",
        label="Votre satisfaction générale à l'égard de la grappe",
    )
    services.question_add(
        survey=survey,
        by=manager,
        kind="text",
        label="Quel besoin aimeriez-vous mutualiser ensuite ?",
    )
    # Opened as survey_send does, without e-mailing the demo's fictional people.
    member_ids = [o.pk for o in _active_orgs(cluster)]
    type(survey).objects.filter(pk=survey.pk).update(
        status="open", sent_at=timezone.now(), invited_organisation_ids=member_ids
    )
    survey.refresh_from_db()
    questions = {q.kind + (q.service or ""): q for q in Question.objects.filter(survey=survey)}
    orgs = _active_orgs(cluster)
    rng.shuffle(orgs)
    now = timezone.now()
    answered = 0
    for org in orgs[:40]:
        person_actor = Actor(cluster=cluster, organisation_ids=frozenset({org.pk}))
        answers = {
            questions["single"].pk: rng.choice(ACTIVITIES),
            questions["multiple"].pk: rng.sample(USED, rng.randrange(1, 4)),
            questions["scale"].pk: rng.choice([6, 7, 7, 8, 8, 8, 9, 9, 10]),
            questions["text"].pk: rng.choice(FREE_ANSWERS),
        }
        for service, weights in zip(
            SERVICES, ([6, 8, 9, 9, 10, 10], [4, 6, 7, 8, 9], [3, 5, 6, 7, 8, 9, 10]), strict=True
        ):
            answers[questions["recommend" + service].pk] = rng.choice(weights)
        response = services.response_submit(
            survey=survey, organisation=org, by=person_actor, answers=answers
        )
        SurveyResponse.objects.filter(pk=response.pk).update(
            submitted_at=now - dt.timedelta(days=rng.randrange(1, 20), hours=rng.randrange(8))
        )
        answered += 1
    return answered
