"""Demo data: a music cluster in Paris 18e (about 60 firms) and a small one in Lyon."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from grappe.core.models import Cluster, ClusterRole, User
from grappe.core.services import cluster_create
from grappe.engine.identifiers import luhn_complete
from grappe.engine.text import search_document
from grappe.members.models import Membership, Organisation, Person, Post
from grappe.members.services import _next_renewal, tags_for
from grappe.territory.models import Commune
from grappe.territory.services import reference_load_bundled

DEMO_PASSWORD = "grappe-demo"  # noqa: S105 - printed on purpose, demo only
PARIS_SLUG = "musique-paris-18"
LYON_SLUG = "images-sons-lyon"

# name, NAF, legal form, size band, address, description, tags
PARIS_FIRMS = [
    (
        "Studio Goutte d'Or",
        "59.20Z",
        "5710",
        "02",
        "12 rue Myrha",
        "Studio d'enregistrement et de mixage, deux cabines, console analogique. Prises de batterie, voix, musiques du monde.",
        "studio|enregistrement|mixage",
    ),
    (
        "Label Barbès Records",
        "59.20Z",
        "5499",
        "01",
        "48 boulevard Barbès",
        "Label indépendant de musiques afro et raï, édition phonographique et distribution numérique.",
        "label|édition|distribution",
    ),
    (
        "La Cigale Souterraine",
        "90.04Z",
        "5710",
        "11",
        "120 boulevard de Rochechouart",
        "Salle de concert de 400 places, programmation rock, électro et chanson.",
        "salle de concert|programmation|live",
    ),
    (
        "Lutherie Caulaincourt",
        "32.20Z",
        "1000",
        "00",
        "37 rue Caulaincourt",
        "Luthier : fabrication et réparation de guitares, basses et instruments à cordes pincées.",
        "luthier|réparation|guitare",
    ),
    (
        "Disques Ordener",
        "47.63Z",
        "5499",
        "01",
        "89 rue Ordener",
        "Disquaire indépendant : vinyles neufs et d'occasion, jazz, soul, musiques africaines.",
        "disquaire|vinyle|occasion",
    ),
    (
        "École de Musique Montmartre",
        "85.52Z",
        "9220",
        "03",
        "14 rue Lepic",
        "Cours de piano, guitare, chant et solfège pour enfants et adultes, ateliers de musiques actuelles.",
        "enseignement|cours|ateliers",
    ),
    (
        "Radio Clignancourt",
        "60.10Z",
        "9220",
        "02",
        "22 rue du Poteau",
        "Radio associative de quartier : émissions musicales, scène locale, podcasts.",
        "radio|podcast|scène locale",
    ),
    (
        "Booking Château Rouge",
        "90.02Z",
        "5720",
        "01",
        "5 rue Poulet",
        "Agence de booking et de tournées pour artistes émergents, production de spectacles.",
        "booking|tournée|production",
    ),
    (
        "Compagnie des Abbesses",
        "90.01Z",
        "9220",
        "02",
        "21 rue des Abbesses",
        "Compagnie de théâtre musical, créations jeune public et cabaret.",
        "spectacle vivant|théâtre musical|jeune public",
    ),
    (
        "Pressage La Chapelle",
        "18.20Z",
        "5499",
        "03",
        "7 rue Marx Dormoy",
        "Pressage de vinyles en petites séries et duplication de CD pour labels indépendants.",
        "pressage|vinyle|fabrication",
    ),
    (
        "Studio Championnet",
        "59.20Z",
        "5498",
        "01",
        "142 rue Championnet",
        "Home studio professionnel : production de beats, mastering, enregistrement de voix.",
        "studio|mastering|hip-hop",
    ),
    (
        "Éditions Marcadet",
        "59.20Z",
        "5710",
        "01",
        "201 rue Marcadet",
        "Éditeur musical : gestion de catalogue, synchronisation pour l'image, droits d'auteur.",
        "édition musicale|synchronisation|droits",
    ),
    (
        "Le Petit Bain Montmartre",
        "90.04Z",
        "9220",
        "03",
        "3 rue Véron",
        "Café-concert associatif de 80 places, scène ouverte hebdomadaire.",
        "café-concert|scène ouverte|live",
    ),
    (
        "Management Doudeauville",
        "90.02Z",
        "5720",
        "00",
        "58 rue Doudeauville",
        "Management d'artistes, développement de carrière, relations presse.",
        "management|artistes|presse",
    ),
    (
        "Atelier Percussions Polonceau",
        "32.20Z",
        "1000",
        "00",
        "16 rue Polonceau",
        "Fabrication artisanale de djembés, doums et percussions mandingues ; réparation de peaux.",
        "percussions|artisanat|réparation",
    ),
    (
        "Collectif Sonore Simplon",
        "90.01Z",
        "9220",
        "01",
        "31 rue Simplon",
        "Collectif de musiciens improvisateurs, résidences et concerts dans le quartier.",
        "collectif|musique improvisée|résidence",
    ),
    (
        "Son & Lumière Location",
        "77.39Z",
        "5499",
        "02",
        "9 rue Letort",
        "Location de matériel de sonorisation et d'éclairage pour concerts et événements.",
        "location|sonorisation|éclairage",
    ),
    (
        "Label Nuits de la Chapelle",
        "59.20Z",
        "5710",
        "01",
        "44 rue Philippe de Girard",
        "Label électro et house, soirées et sorties numériques.",
        "label|électro|soirées",
    ),
    (
        "Studio Ramey",
        "59.20Z",
        "5499",
        "01",
        "27 rue Ramey",
        "Studio de répétition : trois salles équipées, backline, location à l'heure.",
        "répétition|studio|backline",
    ),
    (
        "Conservatoire Populaire du 18e",
        "85.52Z",
        "9220",
        "11",
        "10 rue Duhesme",
        "Enseignement musical associatif, orchestres d'enfants et chorales.",
        "enseignement|orchestre|chorale",
    ),
    (
        "Guitares Lamarck",
        "47.59B",
        "5499",
        "01",
        "65 rue Lamarck",
        "Magasin d'instruments : guitares, amplis, pédales d'effets, conseils et dépôt-vente.",
        "magasin|instruments|guitare",
    ),
    (
        "Production Custine",
        "90.02Z",
        "5710",
        "02",
        "18 rue Custine",
        "Production de concerts et de festivals de quartier, régie et logistique.",
        "production|festival|régie",
    ),
    (
        "La Fabrique à Chansons",
        "90.03B",
        "9220",
        "01",
        "6 rue Labat",
        "Ateliers d'écriture de chansons, accompagnement d'auteurs-compositeurs.",
        "écriture|chanson|accompagnement",
    ),
    (
        "Podcast Factory Myrha",
        "59.20Z",
        "5720",
        "00",
        "52 rue Myrha",
        "Production de podcasts et de fictions sonores, studio de voix.",
        "podcast|fiction sonore|voix",
    ),
    (
        "Jazz Club Damrémont",
        "90.04Z",
        "5499",
        "02",
        "73 rue Damrémont",
        "Club de jazz de 120 places, concerts tous les soirs, jam sessions.",
        "jazz|club|concerts",
    ),
    (
        "Ciné-Concerts Hermel",
        "90.01Z",
        "9220",
        "01",
        "12 rue Hermel",
        "Création de ciné-concerts et de musiques à l'image, tournées en médiathèques.",
        "ciné-concert|création|musique à l'image",
    ),
    (
        "Mastering Mont-Cenis",
        "59.20Z",
        "1000",
        "00",
        "40 rue du Mont-Cenis",
        "Mastering analogique et numérique, restauration d'archives sonores.",
        "mastering|restauration|archives",
    ),
    (
        "Afrobeat Academy",
        "85.52Z",
        "9220",
        "01",
        "28 rue de la Goutte d'Or",
        "Cours de percussions, danse et chant d'Afrique de l'Ouest, stages d'été.",
        "enseignement|percussions|danse",
    ),
    (
        "Label Sous les Pavés",
        "59.20Z",
        "5499",
        "00",
        "15 rue Léon",
        "Micro-label punk et garage, cassettes et vinyles en édition limitée.",
        "label|punk|cassette",
    ),
    (
        "Tournées Stephenson",
        "90.02Z",
        "5720",
        "01",
        "8 rue Stephenson",
        "Organisation de tournées internationales, visas, transport de matériel.",
        "tournée|international|logistique",
    ),
    (
        "Le Local des Poissonniers",
        "90.04Z",
        "9220",
        "01",
        "95 rue des Poissonniers",
        "Lieu de diffusion associatif : concerts, expositions sonores, répétitions.",
        "lieu|diffusion|répétition",
    ),
    (
        "Chorale Urbaine du Nord",
        "90.01Z",
        "9220",
        "00",
        "4 rue Boinod",
        "Chœur de gospel et de musiques urbaines, concerts et ateliers participatifs.",
        "chorale|gospel|ateliers",
    ),
    (
        "Studio Vidéo Clip 18",
        "59.11B",
        "5710",
        "01",
        "66 rue Riquet",
        "Réalisation de clips musicaux et de captations live.",
        "clip|vidéo|captation",
    ),
    (
        "Accordéons Lepic",
        "32.20Z",
        "1000",
        "00",
        "81 rue Lepic",
        "Réparation et accord d'accordéons, vente d'instruments anciens.",
        "accordéon|réparation|artisanat",
    ),
    (
        "Label Goutte de Son",
        "59.20Z",
        "5499",
        "00",
        "9 rue Cavé",
        "Label de musiques du Maghreb et chaâbi, rééditions d'archives.",
        "label|chaâbi|réédition",
    ),
    (
        "Régie Technique Clignancourt",
        "90.02Z",
        "5499",
        "02",
        "111 rue de Clignancourt",
        "Techniciens son et lumière intermittents, régie de tournées et de festivals.",
        "régie|technique|intermittents",
    ),
    (
        "La Petite Scène Barbès",
        "90.04Z",
        "9220",
        "00",
        "2 boulevard Barbès",
        "Bar-concert de 60 places, programmation de jeunes artistes.",
        "bar-concert|jeunes artistes|live",
    ),
    (
        "Atelier Synthés Marx Dormoy",
        "32.20Z",
        "5720",
        "00",
        "24 rue Marx Dormoy",
        "Conception et réparation de synthétiseurs modulaires et de pédales d'effets.",
        "synthétiseur|électronique|réparation",
    ),
    (
        "Éditions Partitions Nord",
        "59.20Z",
        "5499",
        "01",
        "17 rue Ordener",
        "Édition de partitions pédagogiques et de méthodes de musique.",
        "édition|partitions|pédagogie",
    ),
    (
        "Festival Les Nuits de la Goutte",
        "90.01Z",
        "9220",
        "01",
        "36 rue Myrha",
        "Festival annuel de musiques du monde en plein air dans le quartier.",
        "festival|musiques du monde|plein air",
    ),
    (
        "Disques Simplon",
        "47.63Z",
        "1000",
        "00",
        "8 rue Simplon",
        "Disquaire spécialisé reggae, dub et sound system.",
        "disquaire|reggae|vinyle",
    ),
    (
        "Studio Voix Off Custine",
        "59.20Z",
        "5720",
        "00",
        "33 rue Custine",
        "Enregistrement de voix off, livres audio et doublage.",
        "voix off|livre audio|studio",
    ),
    (
        "Musique & Handicap 18",
        "85.52Z",
        "9220",
        "01",
        "19 rue Championnet",
        "Ateliers de musique adaptés aux personnes en situation de handicap.",
        "inclusion|ateliers|enseignement",
    ),
    (
        "Label Montmartre Jazz",
        "59.20Z",
        "5710",
        "01",
        "11 rue Durantin",
        "Label de jazz et de musiques improvisées, production d'albums et de concerts.",
        "label|jazz|production",
    ),
    (
        "Sound System Chapelle",
        "90.02Z",
        "9220",
        "00",
        "70 rue de la Chapelle",
        "Sound system associatif : sonorisation de fêtes de quartier et de manifestations.",
        "sound system|sonorisation|fêtes",
    ),
    (
        "Pianos Caulaincourt",
        "47.59B",
        "5499",
        "01",
        "71 rue Caulaincourt",
        "Vente, location et accord de pianos, transport d'instruments.",
        "piano|accord|location",
    ),
    (
        "Compagnie Ondes Vives",
        "90.01Z",
        "9220",
        "01",
        "46 rue Ramey",
        "Spectacles musicaux et contes sonores pour la petite enfance.",
        "spectacle vivant|jeune public|conte",
    ),
    (
        "Beatmakers du Nord",
        "90.03B",
        "9220",
        "00",
        "3 rue Richomme",
        "Collectif de beatmakers, ateliers MAO pour les jeunes du quartier.",
        "MAO|beatmaking|ateliers",
    ),
    (
        "Studio Rochechouart",
        "59.20Z",
        "5710",
        "02",
        "80 boulevard de Rochechouart",
        "Studio d'enregistrement grand format, salle de 60 m², pianos à queue.",
        "studio|enregistrement|piano",
    ),
    (
        "Radio Pigalle Underground",
        "60.10Z",
        "9220",
        "00",
        "13 rue Houdon",
        "Webradio de musiques électroniques, émissions en direct depuis les clubs.",
        "webradio|électro|direct",
    ),
    (
        "Agence Presse Musique Nord",
        "73.11Z",
        "5720",
        "00",
        "25 rue Doudeauville",
        "Relations presse et communication pour labels et festivals.",
        "presse|communication|promotion",
    ),
    (
        "Les Cuivres de la Chapelle",
        "32.20Z",
        "1000",
        "00",
        "54 rue Philippe de Girard",
        "Réparation d'instruments à vent : trompettes, saxophones, clarinettes.",
        "cuivres|vents|réparation",
    ),
    (
        "Harmonie des Épinettes",
        "90.01Z",
        "9220",
        "01",
        "6 rue Letort",
        "Orchestre d'harmonie amateur, concerts et fanfares de rue.",
        "fanfare|harmonie|amateur",
    ),
    (
        "Web Musique Services",
        "62.01Z",
        "5720",
        "00",
        "50 rue Ordener",
        "Sites web, boutiques en ligne et streaming pour artistes et labels.",
        "web|développement|boutique en ligne",
    ),
    (
        "Studio de Danse et Musique Poteau",
        "85.52Z",
        "5499",
        "01",
        "38 rue du Poteau",
        "Cours de musique et de danse, location de salles de répétition.",
        "danse|cours|salle de répétition",
    ),
    (
        "Label Afro Nord",
        "59.20Z",
        "5720",
        "00",
        "3 rue Poulet",
        "Label d'afrobeats et de coupé-décalé, distribution en Afrique et en Europe.",
        "label|afrobeats|distribution",
    ),
    (
        "Scène Mobile 18",
        "90.02Z",
        "9220",
        "00",
        "1 rue Polonceau",
        "Scène mobile et camion-scène pour concerts en plein air.",
        "scène mobile|plein air|logistique",
    ),
    (
        "Disques et Platines Barbès",
        "47.63Z",
        "5499",
        "00",
        "76 boulevard Barbès",
        "Vente de platines, vinyles et matériel DJ d'occasion.",
        "DJ|platines|occasion",
    ),
    (
        "Ensemble Vocal Ordener",
        "90.01Z",
        "9220",
        "00",
        "120 rue Ordener",
        "Ensemble vocal professionnel, musique baroque et contemporaine.",
        "chant|baroque|contemporain",
    ),
    (
        "Bureau Export Nord",
        "90.02Z",
        "9220",
        "01",
        "14 rue Myrha",
        "Accompagnement à l'export des artistes et labels du quartier, salons internationaux.",
        "export|salons|accompagnement",
    ),
]

LYON_FIRMS = [
    (
        "Studio Confluence Images",
        "59.12Z",
        "5710",
        "02",
        "12 cours Charlemagne",
        69382,
        "Post-production vidéo et étalonnage.",
        "post-production|étalonnage",
    ),
    (
        "Lumière Prod",
        "59.11B",
        "5499",
        "01",
        "5 rue de la Charité",
        69382,
        "Films institutionnels et publicitaires.",
        "production|film",
    ),
    (
        "Doublage Croix-Rousse",
        "59.20Z",
        "5720",
        "00",
        "41 boulevard de la Croix-Rousse",
        69384,
        "Studio de doublage et de voix off.",
        "doublage|voix off",
    ),
    (
        "Animation Part-Dieu",
        "59.11A",
        "5710",
        "03",
        "20 rue Servient",
        69383,
        "Studio d'animation 2D pour la télévision.",
        "animation|télévision",
    ),
    (
        "Son Villeurbanne",
        "59.20Z",
        "5499",
        "01",
        "8 avenue Henri Barbusse",
        69266,
        "Sound design et musique pour le jeu vidéo.",
        "sound design|jeu vidéo",
    ),
    (
        "Cinéma Associatif Guillotière",
        "90.04Z",
        "9220",
        "01",
        "3 place Gabriel Péri",
        69387,
        "Salle de cinéma associative et festival de courts métrages.",
        "cinéma|festival",
    ),
    (
        "Captations Vaise",
        "59.11B",
        "5720",
        "00",
        "15 rue de Bourgogne",
        69389,
        "Captation vidéo de spectacles vivants.",
        "captation|spectacle",
    ),
    (
        "Design Graphique Presqu'île",
        "74.10Z",
        "5499",
        "00",
        "9 rue Mercière",
        69382,
        "Design graphique et génériques de films.",
        "design|générique",
    ),
]

PEOPLE = [
    ("Amina", "Diallo"),
    ("Julien", "Moreau"),
    ("Sofia", "Benali"),
    ("Thomas", "Leroy"),
    ("Fatou", "Traoré"),
    ("Lucas", "Garnier"),
    ("Inès", "Haddad"),
    ("Hugo", "Lambert"),
    ("Chloé", "Nguyen"),
    ("Karim", "Mansouri"),
    ("Léa", "Fontaine"),
    ("Mamadou", "Keita"),
    ("Camille", "Rousseau"),
    ("Yanis", "Cherif"),
    ("Manon", "Girard"),
    ("Ousmane", "Sow"),
    ("Clara", "Bonnet"),
    ("Nassim", "Belkacem"),
    ("Sarah", "Lefèvre"),
    ("Malik", "Ndiaye"),
]
JOB_TITLES = [
    "Gérant·e",
    "Directeur·rice",
    "Chargé·e de production",
    "Ingénieur·e du son",
    "Administrateur·rice",
    "Président·e",
    "Chargé·e de communication",
    "Luthier·e",
]

POSTS = [
    (
        "need",
        "Local de stockage pour backline",
        "On cherche 15 à 20 m² de stockage sécurisé près de Barbès pour notre backline et nos flight cases, idéalement partagé avec d'autres structures.",
    ),
    (
        "need",
        "Gestion de la paie des intermittents",
        "La paie des intermittents (GUSO, congés spectacles) nous prend un temps fou. Quelqu'un serait partant pour mutualiser un gestionnaire de paie ?",
    ),
    (
        "offer",
        "Salle de répétition disponible le matin",
        "Notre salle B (25 m², backline complet) est libre tous les matins en semaine, à prix membre.",
    ),
    (
        "need",
        "Webmaster un jour par semaine",
        "Besoin d'un webmaster pour mettre à jour notre site et notre boutique en ligne, environ une journée par semaine.",
    ),
    (
        "need",
        "Camion pour tournée en mars",
        "On cherche un utilitaire 12 m³ pour une tournée de 10 jours en mars ; partage des frais possible.",
    ),
    (
        "offer",
        "Prêt de console de mixage",
        "Console 32 pistes disponible en prêt ou location entre membres pour vos concerts.",
    ),
    (
        "need",
        "Expert-comptable spécialisé culture",
        "Nous cherchons un expert-comptable qui connaisse les associations culturelles et les subventions.",
    ),
    (
        "need",
        "Stand commun au MaMA",
        "Qui veut partager un stand au MaMA Music & Convention cette année ? On pourrait diviser les coûts.",
    ),
    (
        "offer",
        "Ateliers MAO pour vos artistes",
        "Nous proposons des ateliers de MAO aux artistes de vos labels, tarif préférentiel pour les membres.",
    ),
    (
        "need",
        "Community manager à temps partagé",
        "Nos réseaux sociaux sont à l'abandon : un community manager partagé entre plusieurs labels nous irait bien.",
    ),
    (
        "need",
        "Assurance matériel en tournée",
        "Notre assurance ne couvre pas le matériel à l'étranger. Une assurance groupée pour les membres ?",
    ),
    (
        "offer",
        "Captation vidéo de concerts",
        "On filme vos concerts (3 caméras, son multipiste) à prix réduit pour les membres de la grappe.",
    ),
    (
        "need",
        "Aide pour un dossier de subvention",
        "Première demande au CNM : quelqu'un peut relire notre dossier d'aide à la production phonographique ?",
    ),
    (
        "need",
        "Salle pour résidence d'artistes",
        "Nous cherchons une salle pour une résidence de création d'une semaine en avril.",
    ),
    (
        "offer",
        "Bureau partagé à louer",
        "Deux postes de travail libres dans notre bureau rue Ordener, fibre et salle de réunion.",
    ),
    (
        "need",
        "Conseil juridique contrats d'artistes",
        "Besoin d'un avocat pour relire des contrats d'artiste et de licence ; une permanence juridique mutualisée serait idéale.",
    ),
]

STREETS_GENERATED = [
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "rue Pasteur",
    "place de la Mairie",
    "rue du Marché",
    "rue des Écoles",
]
GENERATED_WORDS = [
    "Studio",
    "Label",
    "Scène",
    "Atelier",
    "Collectif",
    "Éditions",
    "Production",
    "Disques",
    "Radio",
    "Compagnie",
    "Son",
    "Musique",
    "Lumière",
    "Ensemble",
]
GENERATED_PLACES = [
    "du Port",
    "des Halles",
    "du Canal",
    "de la Gare",
    "du Centre",
    "des Arts",
    "du Nord",
    "du Sud",
    "des Quais",
    "du Parc",
    "des Tilleuls",
    "du Marché",
]


def _siret(rng: random.Random) -> str:
    siren = luhn_complete(f"{rng.randrange(10**7, 10**8):08d}")
    return luhn_complete(siren + f"{rng.randrange(1, 999):04d}")


def _user(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name)
    return user


def _organisations(firms, *, cluster: Cluster, rng: random.Random, commune_default=None):
    communes = {c.code: c for c in Commune.objects.all()}
    today = timezone.localdate()
    orgs = []
    for firm in firms:
        if len(firm) == 8:
            name, naf, legal, size, address, commune_code, description, tags = firm
            commune = communes[str(commune_code)]
        else:
            name, naf, legal, size, address, description, tags = firm
            commune = commune_default
        association = legal.startswith("92")
        siret = _siret(rng)
        lat = float(commune.latitude) + rng.uniform(-0.006, 0.006)
        lon = float(commune.longitude) + rng.uniform(-0.009, 0.009)
        org = Organisation(
            name=name,
            slug=slug_of(name),
            siret=siret,
            siren=siret[:9],
            rna=f"W{rng.randrange(10**8, 10**9):09d}" if association else "",
            legal_form=legal,
            naf_code=naf,
            size_band=size,
            address=address,
            postcode=commune.postcode,
            commune=commune,
            latitude=Decimal(f"{lat:.5f}"),
            longitude=Decimal(f"{lon:.5f}"),
            website=f"https://{slug_of(name)}.example.fr",
            email=f"contact@{slug_of(name)}.example.fr",
            phone=f"01 {rng.randrange(40, 60)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
            description=description,
        )
        tag_objs = tags_for(tags.split("|"))
        org.name_document = search_document(org.name)
        org.search_document = search_document(
            org.name, org.description, " ".join(t.name for t in tag_objs), commune.name
        )
        org.save()
        org.tags.set(tag_objs)
        joined = today - dt.timedelta(days=rng.randrange(30, 1500))
        renewal = _next_renewal(joined)
        while renewal < today - dt.timedelta(days=20):
            renewal = _next_renewal(renewal)
        Membership.objects.create(
            cluster=cluster,
            organisation=org,
            status=Membership.Status.ACTIVE,
            joined_on=joined,
            renewal_on=renewal,
            fee_amount=Decimal("120.00") if association else Decimal("240.00"),
            fee_status=rng.choice([Membership.FeeStatus.PAID] * 3 + [Membership.FeeStatus.DUE]),
        )
        orgs.append(org)
    return orgs


def slug_of(name: str) -> str:
    from django.utils.text import slugify

    from grappe.engine.text import strip_accents

    return slugify(strip_accents(name))[:70]


def _people(orgs, rng: random.Random) -> None:
    for org in orgs:
        for _i in range(rng.choice([1, 1, 2, 3])):
            first, last = rng.choice(PEOPLE)
            Person.objects.create(
                organisation=org,
                first_name=first,
                last_name=last,
                job_title=rng.choice(JOB_TITLES),
                email=f"{slug_of(first)}.{slug_of(last)}@{slug_of(org.name)}.example.fr",
                visibility=rng.choice(
                    [Person.Visibility.NAME, Person.Visibility.CONTACT, Person.Visibility.HIDDEN]
                ),
            )


@transaction.atomic
def seed() -> list[str]:
    if not Commune.objects.exists():
        reference_load_bundled()
    lines = []
    if not Cluster.objects.filter(slug=PARIS_SLUG).exists():
        rng = random.Random(18)  # noqa: S311 - demo data
        paris = cluster_create(
            name="Grappe Musique Paris 18e",
            slug=PARIS_SLUG,
            commune_codes=["75118"],
            naf_codes=[
                "59.20Z",
                "90.01Z",
                "90.02Z",
                "90.03B",
                "90.04Z",
                "32.20Z",
                "47.63Z",
                "85.52Z",
                "60.10Z",
                "18.20Z",
            ],
            description=(
                "Labels, studios, salles, managers, luthiers et écoles de musique du 18e "
                "arrondissement mettent en commun locaux, matériel, compétences et veille des "
                "appels à projets."
            ),
            contact_email="contact@grappe-musique-18.example.fr",
            legal_name="Association Grappe Musique Paris 18e",
            address="14 rue Myrha, 75018 Paris",
        )
        orgs = _organisations(
            PARIS_FIRMS, cluster=paris, rng=rng, commune_default=Commune.objects.get(code="75118")
        )
        _people(orgs, rng)
        manager = _user("animation@grappe.demo", "Camille Martin")
        observer = _user("financeur@grappe.demo", "Nadia Perrin (Ville de Paris)")
        ClusterRole.objects.get_or_create(
            cluster=paris, user=manager, role=ClusterRole.Role.MANAGER
        )
        ClusterRole.objects.get_or_create(
            cluster=paris, user=observer, role=ClusterRole.Role.OBSERVER
        )
        member = _user("membre@grappe.demo", "Amina Diallo")
        studio = orgs[0]
        Person.objects.create(
            organisation=studio,
            user=member,
            first_name="Amina",
            last_name="Diallo",
            job_title="Gérante",
            email=member.email,
            visibility=Person.Visibility.CONTACT,
        )
        now = timezone.now()
        for index, (kind, title, text) in enumerate(POSTS):
            org = orgs[(index * 7) % len(orgs)]
            post = Post.objects.create(
                cluster=paris,
                organisation=org,
                kind=kind,
                title=title,
                text=text,
                visibility=Post.Visibility.PUBLIC if index % 3 == 0 else Post.Visibility.CLUSTER,
            )
            # Spread over the last months, as a living cluster's posts are.
            Post.objects.filter(pk=post.pk).update(
                created_at=now - dt.timedelta(days=3 + index * 11, hours=index)
            )
        lines.append(f"Grappe « {paris.name} » : {len(orgs)} structures.")
        lines.append(_demo_prospects(paris, [o.siret for o in orgs]))
    if not Cluster.objects.filter(slug=LYON_SLUG).exists():
        rng = random.Random(69)  # noqa: S311 - demo data
        lyon = cluster_create(
            name="Images & Sons Lyon",
            slug=LYON_SLUG,
            commune_codes=["69123", "69266"],
            naf_codes=["59.11A", "59.11B", "59.12Z", "59.20Z", "90.04Z", "74.10Z"],
            description="Studios d'image et de son de Lyon et Villeurbanne.",
        )
        orgs = _organisations(LYON_FIRMS, cluster=lyon, rng=rng)
        _people(orgs, rng)
        manager = _user("animation.lyon@grappe.demo", "Bastien Roux")
        ClusterRole.objects.get_or_create(cluster=lyon, user=manager, role=ClusterRole.Role.MANAGER)
        lines.append(f"Grappe « {lyon.name} » : {len(orgs)} structures.")
    lines += [
        "Comptes de démonstration (mot de passe : " + DEMO_PASSWORD + ") :",
        "  animation@grappe.demo        animatrice de la grappe Musique Paris 18e",
        "  membre@grappe.demo           gérante du Studio Goutte d'Or (membre)",
        "  financeur@grappe.demo        financeur (observateur)",
        "  animation.lyon@grappe.demo   animateur de la grappe Images & Sons Lyon",
    ]
    return lines


def _demo_prospects(cluster: Cluster, member_sirets: list[str]) -> str:
    import shutil

    from grappe.members.demo_registry import write_demo_stock
    from grappe.members.registry import registry_import

    stock, legal = write_demo_stock(member_sirets)
    try:
        result = registry_import(path=stock, legal_units=legal, cluster=cluster)
    finally:
        shutil.rmtree(stock.parent, ignore_errors=True)
    return result.summary()


def generate(count: int) -> list[str]:
    """A generated federation: `count` organisations spread over several clusters."""
    if not Commune.objects.exists():
        reference_load_bundled()
    cities = list(Commune.objects.filter(kind="COM").exclude(code="75056").order_by("code")[:12])
    existing = Organisation.objects.filter(
        memberships__cluster__slug__startswith="federation-"
    ).count()
    missing = count - existing
    if missing <= 0:
        return [f"Fédération générée : déjà {existing} organisations."]
    rng = random.Random(existing)  # noqa: S311
    clusters = []
    for index, city in enumerate(cities):
        slug = f"federation-{index + 1:02d}"
        cluster = Cluster.objects.filter(slug=slug).first() or cluster_create(
            name=f"Grappe {city.name}",
            slug=slug,
            commune_codes=[city.code],
            naf_codes=["59.20Z", "90.01Z", "90.02Z", "90.04Z", "85.52Z"],
            description=f"Grappe générée pour les mesures ({city.name}).",
        )
        clusters.append((cluster, city))
    naf_codes = ["59.20Z", "90.01Z", "90.02Z", "90.04Z", "85.52Z", "32.20Z", "47.63Z"]
    tag_pool = tags_for(
        [
            "studio",
            "label",
            "concert",
            "enseignement",
            "tournée",
            "édition",
            "répétition",
            "festival",
            "radio",
            "lutherie",
            "jazz",
            "électro",
        ]
    )
    today = timezone.localdate()
    batch_orgs, batch_members, batch_tags = [], [], []
    Through = Organisation.tags.through
    start = existing
    with transaction.atomic():
        for i in range(start, start + missing):
            cluster, city = clusters[i % len(clusters)]
            name = f"{rng.choice(GENERATED_WORDS)} {rng.choice(GENERATED_PLACES)} {i + 1}"
            siret = luhn_complete(luhn_complete(f"{80_000_000 + i:08d}") + "0001")
            tags = rng.sample(tag_pool, 3)
            description = (
                f"{name} : {rng.choice(['studio', 'label', 'salle', 'école', 'atelier'])} "
                f"de {rng.choice(['musique', 'jazz', 'rock', 'chanson', 'électro'])} à {city.name}, "
                f"{rng.choice(['enregistrement', 'concerts', 'cours', 'production', 'réparation'])}."
            )
            org = Organisation(
                name=name,
                slug=f"{slug_of(name)}-{i + 1}",
                siret=siret,
                siren=siret[:9],
                legal_form=rng.choice(["5710", "5499", "9220", "5720"]),
                naf_code=rng.choice(naf_codes),
                size_band=rng.choice(["00", "01", "02", "03", "11"]),
                address=f"{rng.randrange(1, 150)} {rng.choice(STREETS_GENERATED)}",
                postcode=city.postcode,
                commune=city,
                latitude=city.latitude + Decimal(f"{rng.uniform(-0.02, 0.02):.5f}"),
                longitude=city.longitude + Decimal(f"{rng.uniform(-0.03, 0.03):.5f}"),
                description=description,
                name_document=search_document(name),
                search_document=search_document(
                    name, description, " ".join(t.name for t in tags), city.name
                ),
            )
            batch_orgs.append((org, cluster, tags))
        created = Organisation.objects.bulk_create([o for o, _c, _t in batch_orgs], batch_size=1000)
        for org, (_o, cluster, tags) in zip(created, batch_orgs, strict=True):
            batch_members.append(
                Membership(
                    cluster=cluster,
                    organisation=org,
                    status=Membership.Status.ACTIVE,
                    joined_on=today,
                    renewal_on=_next_renewal(today),
                    fee_amount=Decimal("200.00"),
                )
            )
            batch_tags += [Through(organisation_id=org.pk, tag_id=t.pk) for t in tags]
        Membership.objects.bulk_create(batch_members, batch_size=2000)
        Through.objects.bulk_create(batch_tags, batch_size=5000)
    return [f"Fédération générée : {missing} organisations ajoutées sur {len(clusters)} grappes."]
