"""Demo data for the documents app: the paperwork each kind of business keeps."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import TenantSettings
from documents import services
from documents.models import Document, DocumentTag

C = Document.Category

TAGS = {
    "salon": [
        ("COSHH", "#dc2626"),
        ("Health and safety", "#f59e0b"),
        ("Price list", "#7c3aed"),
        ("Insurance", "#2563eb"),
        ("Staff", "#059669"),
        ("Clients", "#db2777"),
    ],
    "restaurant": [
        ("Allergens", "#dc2626"),
        ("Menus", "#b45309"),
        ("Food safety", "#f59e0b"),
        ("Licences", "#2563eb"),
        ("Suppliers", "#059669"),
    ],
    "health_club": [
        ("Inductions", "#059669"),
        ("Health and safety", "#f59e0b"),
        ("Pool", "#0284c7"),
        ("Timetables", "#7c3aed"),
        ("Qualifications", "#2563eb"),
    ],
    "therapy": [
        ("Consent", "#1d4ed8"),
        ("Safeguarding", "#dc2626"),
        ("GDPR", "#6b7280"),
        ("Supervision", "#059669"),
        ("Memberships", "#7c3aed"),
    ],
    "agency": [
        ("Clients", "#111827"),
        ("Contracts", "#f59e0b"),
        ("Policies", "#2563eb"),
        ("Finance", "#059669"),
    ],
}

# title, category, file name, tags, expires in (days from today) or None, text
DOCUMENTS = {
    "salon": [
        (
            "COSHH assessment: bleach powder",
            C.OTHER,
            "coshh-bleach-powder.txt",
            ["COSHH", "Health and safety"],
            None,
            "Substance: lightening powder (ammonium persulfate).\nHazards: skin and respiratory sensitiser.\n"
            "Controls: mix in the dispensary with extraction on; nitrile gloves; no dust-raising.\n"
            "First aid: rinse skin with water for 15 minutes; fresh air if inhaled.\n",
        ),
        (
            "COSHH assessment: 6% developer",
            C.OTHER,
            "coshh-developer-6.txt",
            ["COSHH", "Health and safety"],
            None,
            "Substance: hydrogen peroxide 6% (20 vol).\nHazards: eye damage, skin irritation.\n"
            "Controls: gloves and goggles when decanting; store below 25C away from sunlight.\n",
        ),
        (
            "Service price list",
            C.MENU,
            "price-list.txt",
            ["Price list"],
            None,
            "Cut and finish 38.00\nColour and cut 95.00\nBalayage from 140.00\nBlow-dry 25.00\nBeard trim 12.00\n",
        ),
        (
            "Public liability insurance",
            C.CERTIFICATE,
            "public-liability-2026.txt",
            ["Insurance"],
            200,
            "Policy holder: the salon.\nCover: public and products liability, 5,000,000 GBP.\n",
        ),
        (
            "Patch test and colour consent",
            C.FORM,
            "patch-test-consent.txt",
            ["Clients", "Health and safety"],
            None,
            "Client name:\nDate of patch test:\nI confirm I have had no reaction within 48 hours.\nSignature:\n",
        ),
        (
            "Chair rental agreement",
            C.CONTRACT,
            "chair-rental-agreement.txt",
            ["Staff"],
            20,
            "The stylist rents one chair, Tuesday to Saturday, for 180.00 GBP a week, payable in advance.\n",
        ),
    ],
    "restaurant": [
        (
            "Dinner menu",
            C.MENU,
            "dinner-menu.txt",
            ["Menus"],
            None,
            "Starters: beetroot and goat's cheese; crab on toast.\nMains: hake, mussels and leeks; "
            "braised short rib; mushroom and barley risotto.\nPuddings: treacle tart; rhubarb fool.\n",
        ),
        (
            "Sunday lunch menu",
            C.MENU,
            "sunday-lunch.txt",
            ["Menus"],
            None,
            "Roast sirloin, Yorkshire pudding and gravy; nut roast; all the trimmings. Two courses 28.00.\n",
        ),
        (
            "Allergen matrix: dinner menu",
            C.OTHER,
            "allergen-matrix-dinner.txt",
            ["Allergens", "Menus"],
            None,
            "Dish | gluten | crustaceans | milk | mustard | sulphites\nCrab on toast | yes | yes | yes | no | no\n"
            "Short rib | no | no | yes | yes | yes\nRisotto | yes (barley) | no | yes | no | yes\n",
        ),
        (
            "Allergen information for guests",
            C.POLICY,
            "allergen-statement.txt",
            ["Allergens"],
            None,
            "Please tell your server about any allergy before ordering. Our kitchen handles all 14 allergens.\n",
        ),
        (
            "Food hygiene rating certificate",
            C.CERTIFICATE,
            "food-hygiene-rating.txt",
            ["Food safety", "Licences"],
            300,
            "Food hygiene rating: 5 (very good). Inspected by the local authority.\n",
        ),
        (
            "Premises licence",
            C.CERTIFICATE,
            "premises-licence.txt",
            ["Licences"],
            25,
            "Sale of alcohol on the premises, 11:00 to 23:00, Monday to Sunday.\n",
        ),
        (
            "Fish supplier agreement",
            C.CONTRACT,
            "fish-supplier.txt",
            ["Suppliers"],
            120,
            "Daily delivery before 10:00 of day-boat fish; prices agreed weekly.\n",
        ),
        (
            "Kitchen cleaning schedule",
            C.FORM,
            "cleaning-schedule.txt",
            ["Food safety"],
            None,
            "Daily: surfaces, fryers filtered, floors. Weekly: ovens, extraction filters. Sign and date each task.\n",
        ),
    ],
    "health_club": [
        (
            "Gym induction checklist",
            C.FORM,
            "gym-induction.txt",
            ["Inductions", "Health and safety"],
            None,
            "Emergency exits shown; treadmill stop key; free weights etiquette; member signature.\n",
        ),
        (
            "PAR-Q health questionnaire",
            C.FORM,
            "par-q.txt",
            ["Inductions"],
            None,
            "Has a doctor ever said you have a heart condition? Do you feel chest pain when active?\n",
        ),
        (
            "Pool safety operating procedure",
            C.POLICY,
            "pool-safety.txt",
            ["Pool", "Health and safety"],
            None,
            "Lifeguard ratios, water testing every two hours, emergency action plan.\n",
        ),
        (
            "Class timetable",
            C.OTHER,
            "class-timetable.txt",
            ["Timetables"],
            None,
            "Mon 07:00 spin; Tue 18:00 yoga flow; Thu 12:30 spin; Sat 09:00 yoga flow.\n",
        ),
        (
            "Lifeguard qualifications",
            C.CERTIFICATE,
            "nplq-certificates.txt",
            ["Pool", "Qualifications"],
            15,
            "National Pool Lifeguard Qualification for three staff members.\n",
        ),
        (
            "Gym equipment service contract",
            C.CONTRACT,
            "equipment-service.txt",
            ["Health and safety"],
            240,
            "Quarterly service of cardio and resistance machines; 48-hour call-out.\n",
        ),
    ],
    "therapy": [
        (
            "Therapy consent form",
            C.FORM,
            "therapy-consent.txt",
            ["Consent"],
            None,
            "I understand what therapy involves, the limits of confidentiality and the cancellation policy.\n",
        ),
        (
            "Confidentiality and data protection policy",
            C.POLICY,
            "confidentiality-gdpr.txt",
            ["GDPR", "Consent"],
            None,
            "Session notes are kept securely for seven years; clients may ask to see their records.\n",
        ),
        (
            "Safeguarding policy",
            C.POLICY,
            "safeguarding.txt",
            ["Safeguarding"],
            None,
            "When confidentiality may be broken to protect a client or others, and whom we contact.\n",
        ),
        (
            "Clinical supervision agreement",
            C.CONTRACT,
            "supervision-agreement.txt",
            ["Supervision"],
            180,
            "Monthly supervision of 90 minutes for each practitioner.\n",
        ),
        (
            "Professional body membership",
            C.CERTIFICATE,
            "membership-certificate.txt",
            ["Memberships"],
            28,
            "Registered member of a professional counselling body; renewal due.\n",
        ),
    ],
    "agency": [
        (
            "Platform terms of service",
            C.POLICY,
            "terms-of-service.txt",
            ["Policies", "Clients"],
            None,
            "The terms every business on the platform agrees to.\n",
        ),
        (
            "Data processing agreement",
            C.CONTRACT,
            "data-processing-agreement.txt",
            ["Contracts", "Clients"],
            365,
            "We process client data only on each business's instructions.\n",
        ),
        (
            "Onboarding checklist",
            C.FORM,
            "onboarding-checklist.txt",
            ["Clients"],
            None,
            "Branding, services, staff, opening hours, demo walkthrough.\n",
        ),
        (
            "Professional indemnity insurance",
            C.CERTIFICATE,
            "indemnity-insurance.txt",
            ["Finance"],
            90,
            "Cover: 1,000,000 GBP.\n",
        ),
    ],
}


def seed_demo_data(*, tenant: TenantSettings, kind: str, rng: random.Random, users: dict) -> None:
    tags = {name: DocumentTag.objects.create(tenant=tenant, name=name, colour=colour) for name, colour in TAGS[kind]}
    today = timezone.localdate()
    uploaders = [users["owner"], users["manager"], users["staff"]]
    for title, category, filename, tag_names, expires_in, text in DOCUMENTS[kind]:
        services.document_upload(
            tenant=tenant,
            file=SimpleUploadedFile(filename, f"{tenant.name}: {title}\n\n{text}".encode(), "text/plain"),
            uploaded_by=rng.choice(uploaders),
            title=title,
            description=f"{title} for {tenant.name}.",
            category=category,
            expires_on=today + timedelta(days=expires_in) if expires_in is not None else None,
            tags=[tags[name] for name in tag_names],
        )
