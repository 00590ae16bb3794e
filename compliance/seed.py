"""Demo data for the compliance app: each kind of business keeps the records its
regulators ask about (food hygiene in the restaurant, pool and gym equipment in the
health club, COSHH in the salon, safeguarding and clinical governance in therapy).

Everything happens in order on a timeline over the last few weeks, through the services,
so the score, its audit log and the activity feed tell one consistent story.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from compliance import services
from compliance.models import (
    ComplianceCategory,
    ComplianceItem,
    Equipment,
    HazardFinding,
    IncidentPhoto,
    IncidentReport,
    RAMSDocument,
    RiskAssessment,
    ScoreAuditLog,
)
from core.models import BusinessEvent, TenantSettings

M, Q, A, ONCE = "monthly", "quarterly", "annually", "once"
NA = None  # an item's due offset of None: not applicable to this business

# Per kind:
# categories: (name, weight, description)
# items: (category, title, frequency, due in days, last completed days ago or None, owner role, evidence)
# incidents: (title, description, location, severity, days ago, outcome, photo captions)
#   outcome: "open", "investigating", "resolved" or "signed_off"
# assessments: (title, area, review due in days, status, [(hazard, who, likelihood, severity, controls, resolved)])
# equipment: (name, serial, location, interval days, [(days ago, passed)])
# accidents: (person, location, description, injury, first aid, hospital, RIDDOR, days ago)
# rams: (title, activity, [(version, approved?)])
CATALOGUE: dict[str, dict] = {
    "restaurant": {
        "categories": [
            (
                "Food hygiene & safety",
                10,
                "HACCP-based food safety management, temperature control and allergen information "
                "(Food Safety Act 1990, Natasha's Law).",
            ),
            ("Fire safety", 8, "Fire risk assessment, alarms, extinguishers and drills (Fire Safety Order 2005)."),
            ("Gas & electrical", 7, "Gas Safe appliance checks, fixed wiring and portable appliance testing."),
            ("Pest control", 6, "Contractor visits and proofing of the kitchen, cellar and dry stores."),
            ("Staff training", 5, "Food hygiene certificates, allergen training and induction records."),
        ],
        "items": [
            (
                "Food hygiene & safety",
                "Review fridge and freezer temperature logs",
                M,
                9,
                21,
                "manager",
                "Logs signed at opening and close by the chef in charge.",
            ),
            (
                "Food hygiene & safety",
                "HACCP food safety plan review",
                A,
                -12,
                377,
                "owner",
                "Safer Food Better Business pack, 2025 edition.",
            ),
            (
                "Food hygiene & safety",
                "Allergen matrix updated for the seasonal menu",
                Q,
                40,
                50,
                "manager",
                "Matrix printed at the pass and in the staff folder.",
            ),
            ("Food hygiene & safety", "Probe thermometer calibration (ice and boiling water)", M, -3, 33, "staff", ""),
            ("Food hygiene & safety", "Prepare for the council's food hygiene inspection", ONCE, 60, None, "owner", ""),
            ("Fire safety", "Fire risk assessment review", A, 200, 165, "owner", "Reviewed with the landlord."),
            ("Fire safety", "Weekly fire alarm test log review", M, 12, 18, "manager", ""),
            ("Fire safety", "Fire extinguisher annual service", A, 25, 340, "manager", "Service label dated."),
            ("Fire safety", "Sprinkler system service", A, NA, None, "manager", "No sprinklers in the building."),
            (
                "Gas & electrical",
                "Gas Safe inspection of kitchen appliances (CP42)",
                A,
                95,
                270,
                "owner",
                "CP42 certificate on file.",
            ),
            ("Gas & electrical", "Portable appliance testing", A, -20, 385, "manager", ""),
            ("Pest control", "Pest control contractor visit", Q, 18, 72, "manager", "Bait station map updated."),
            ("Staff training", "Level 2 Food Hygiene certificates for kitchen staff", A, 150, 215, "manager", ""),
            (
                "Staff training",
                "Allergen awareness training (FSA online course)",
                ONCE,
                -5,
                30,
                "manager",
                "All front-of-house staff certificated.",
            ),
        ],
        "incidents": [
            (
                "Chef cut finger on the mandoline",
                "Cut to the left index finger while slicing fennel without the guard. Wound cleaned and dressed "
                "with a blue plaster; chef moved to the pass for the rest of service.",
                "Kitchen - prep section",
                "medium",
                12,
                "signed_off",
                [],
            ),
            (
                "Walk-in cold room above 8°C",
                "Morning check read 9.5°C; the door seal was torn. Stock moved to the reach-in fridges and "
                "high-risk items discarded. Engineer replaced the seal the same day.",
                "Walk-in cold room",
                "high",
                6,
                "resolved",
                ["Door seal torn at the hinge side"],
            ),
            (
                "Fat fire on the char-grill",
                "Fat build-up caught fire during Saturday service; put out with the wet chemical extinguisher. "
                "Extraction filters were overdue a clean.",
                "Kitchen - grill",
                "critical",
                3,
                "signed_off",
                ["Grill after the fire", "Extraction filters"],
            ),
            (
                "Guest reported a reaction after dessert",
                "Guest with a declared nut allergy reported tingling lips after the tart. No ambulance needed; "
                "recipe and supplier specification under review.",
                "Dining room, table 7",
                "high",
                1,
                "investigating",
                [],
            ),
            (
                "Wet floor by the dish station",
                "Dishwasher drain overflowed at close; wet floor signs placed and the drain cleared.",
                "Dish station",
                "low",
                0,
                "open",
                [],
            ),
        ],
        "assessments": [
            (
                "Kitchen - hot surfaces, knives and fat fires",
                "Kitchen",
                300,
                "active",
                [
                    (
                        "Burns from hot surfaces, fryers and steam",
                        "Chefs and kitchen porters",
                        3,
                        3,
                        "Oven cloths, fryer lids, 'hot behind' called out.",
                        False,
                    ),
                    ("Cuts from knives and the mandoline", "Chefs", 3, 2, "Guard always used; knife induction.", True),
                    (
                        "Fat fire at the grill",
                        "All staff and guests",
                        2,
                        5,
                        "Filters cleaned weekly; wet chemical extinguisher by the pass.",
                        False,
                    ),
                ],
            ),
            (
                "Front of house - slips, trips and hot drinks",
                "Dining room and bar",
                120,
                "active",
                [
                    (
                        "Slips on spilt drinks",
                        "Guests and servers",
                        3,
                        2,
                        "Spills cleaned at once; mats at the bar.",
                        True,
                    ),
                    (
                        "Scalds from hot drinks",
                        "Guests and servers",
                        2,
                        2,
                        "Trays for hot drinks; no reaching over.",
                        True,
                    ),
                ],
            ),
            (
                "Cellar - gas cylinders and manual handling",
                "Cellar",
                -10,
                "active",
                [
                    (
                        "Cylinder falling during a change",
                        "Bar staff",
                        2,
                        4,
                        "Cylinders chained; trolley provided.",
                        False,
                    ),
                    (
                        "Lifting kegs on the stairs",
                        "Bar staff and draymen",
                        3,
                        3,
                        "Keg drop used; two-person lift.",
                        False,
                    ),
                ],
            ),
        ],
        "equipment": [
            ("Walk-in cold room", "WIC-2291", "Back of house", 90, [(100, True), (10, True)]),
            ("Rational combi oven", "E11SI-77310", "Kitchen", 180, [(170, True)]),
            ("Extraction canopy and filters", "EXT-KIT-01", "Kitchen", 90, [(120, True), (30, False)]),
            ("Wet chemical fire extinguisher", "FX-6L-0412", "Kitchen pass", 365, [(300, True)]),
            ("Glass washer", "GW-5521", "Bar", 180, [(60, True)]),
            ("Probe thermometer", "TP-3001", "Kitchen", 30, [(25, True)]),
        ],
        "accidents": [
            (
                "Kitchen porter",
                "Dish station",
                "Slipped on a wet floor while carrying a rack of plates.",
                "Bruised hip",
                True,
                False,
                False,
                20,
            ),
            (
                "Guest (table 12)",
                "Stairs to the toilets",
                "Missed a step on the dim stairs; the bulb has been replaced.",
                "Sprained wrist",
                True,
                True,
                False,
                45,
            ),
            (
                "Sous chef",
                "Kitchen - fryer",
                "Hot oil splashed when a wet basket was lowered into the fryer.",
                "Burn to the forearm; off work for 9 days",
                True,
                True,
                True,
                9,
            ),
        ],
        "rams": [
            (
                "Deep clean of the kitchen extraction system",
                "Contractor clean of canopy, ducting and fan",
                [("1.0", True), ("2.0", True)],
            ),
            ("Changing CO2 and mixed-gas cylinders", "Cellar gas cylinder change", [("1.0", True)]),
            (
                "Pest proofing works in the dry store",
                "Contractor sealing gaps and fitting door brushes",
                [("1.0", False)],
            ),
        ],
    },
    "salon": {
        "categories": [
            (
                "COSHH - hair chemicals",
                10,
                "Assessments and safety data sheets for lighteners, peroxide, colour and relaxers (COSHH 2002).",
            ),
            ("Hygiene & infection control", 8, "Tool disinfection, towels and clean work stations."),
            ("Electrical safety", 7, "Dryers, straighteners and tongs: portable appliance and fixed wiring tests."),
            ("Fire safety", 7, "Fire risk assessment, extinguishers and evacuation."),
            ("Insurance & licensing", 5, "Public liability and treatment insurance."),
        ],
        "items": [
            (
                "COSHH - hair chemicals",
                "COSHH assessment - lighteners and peroxide developers",
                A,
                120,
                245,
                "owner",
                "Assessment signed by all stylists.",
            ),
            (
                "COSHH - hair chemicals",
                "Safety data sheets checked against the dispensary stock",
                Q,
                -8,
                98,
                "manager",
                "",
            ),
            ("COSHH - hair chemicals", "Dispensary extractor fan check", Q, 30, 60, "staff", ""),
            (
                "COSHH - hair chemicals",
                "Skin-sensitivity patch test records audit",
                M,
                6,
                24,
                "manager",
                "Every colour client tested 48 hours before.",
            ),
            ("COSHH - hair chemicals", "Nitrile glove stock and dermatitis skin checks", M, -2, 32, "staff", ""),
            (
                "Hygiene & infection control",
                "Disinfectant dilution and tool disinfection log review",
                M,
                14,
                16,
                "staff",
                "",
            ),
            ("Hygiene & infection control", "Towel laundering at 60°C - log review", M, 20, 10, "staff", ""),
            (
                "Electrical safety",
                "Portable appliance testing - dryers, straighteners and tongs",
                A,
                -15,
                380,
                "manager",
                "",
            ),
            ("Electrical safety", "Fixed wiring inspection (EICR)", ONCE, 700, None, "owner", ""),
            ("Fire safety", "Fire extinguisher service", A, 80, 285, "manager", ""),
            ("Fire safety", "Fire risk assessment review", A, 150, 215, "owner", ""),
            (
                "Insurance & licensing",
                "Public liability and treatment insurance renewal",
                A,
                45,
                320,
                "owner",
                "Policy schedule on file.",
            ),
            (
                "Insurance & licensing",
                "Skin-piercing registration with the council",
                A,
                NA,
                None,
                "owner",
                "The salon offers no piercing.",
            ),
        ],
        "incidents": [
            (
                "Trip on a hairdryer cable",
                "A junior tripped on a trailing cable between stations; no injury. Cable tidies fitted.",
                "Styling station 4",
                "low",
                15,
                "signed_off",
                [],
            ),
            (
                "Client reaction to colour - scalp irritation",
                "Client reported burning at the nape ten minutes after permanent colour was applied; rinsed at "
                "once, no blistering. The patch test 48 hours before was clear.",
                "Colour station 2",
                "high",
                9,
                "signed_off",
                ["Redness at the nape after rinsing"],
            ),
            (
                "Peroxide developer spilt in the dispensary",
                "A litre of 9% developer fell off the shelf; cleaned up with the spill kit, gloves on and the "
                "extractor running.",
                "Dispensary",
                "medium",
                5,
                "resolved",
                ["Spill kit in use"],
            ),
            (
                "Scorched plug on the hood dryer",
                "Burning smell from the hood dryer plug; unit unplugged, tagged out of use and reported.",
                "Styling floor",
                "high",
                2,
                "investigating",
                [],
            ),
            (
                "Client scalded at the backwash",
                "Water ran hot when the thermostatic valve stuck; the client's neck reddened and was cooled with "
                "water. Basin 1 is out of use until the valve is replaced.",
                "Backwash basin 1",
                "critical",
                1,
                "open",
                [],
            ),
        ],
        "assessments": [
            (
                "Dispensary - chemical handling (COSHH)",
                "Dispensary",
                200,
                "active",
                [
                    (
                        "Skin contact with lightener and peroxide - dermatitis",
                        "Stylists and juniors",
                        4,
                        3,
                        "Nitrile gloves, barrier cream, hands dried fully.",
                        False,
                    ),
                    (
                        "Breathing in persulphate powder",
                        "Stylists, staff with asthma",
                        2,
                        4,
                        "Dust-free lightener; extractor on while mixing.",
                        False,
                    ),
                    (
                        "Splashes to the eyes",
                        "Stylists and clients",
                        2,
                        3,
                        "Eye wash station; mix below eye level.",
                        True,
                    ),
                ],
            ),
            (
                "Salon floor - slips, trips and electrics",
                "Styling floor",
                90,
                "active",
                [
                    ("Hair clippings on the floor", "Everyone", 4, 2, "Swept after every client.", True),
                    (
                        "Trailing dryer cables",
                        "Staff and clients",
                        3,
                        2,
                        "Cable tidies; sockets at each station.",
                        True,
                    ),
                    ("Hot styling tools", "Stylists and clients", 2, 2, "Heat mats and tool holsters.", False),
                ],
            ),
        ],
        "equipment": [
            ("Backwash basin 1 (thermostatic valve)", "BW-1102", "Backwash", 90, [(95, True), (1, False)]),
            ("Hood dryer", "HD-5530", "Styling floor", 365, [(200, True)]),
            ("UV steriliser cabinet", "UV-210", "Dispensary", 180, [(170, True)]),
            ("Dispensary extractor fan", "EF-75", "Dispensary", 90, [(60, True)]),
            ("Hydraulic styling chairs (x6)", "", "Styling floor", 365, [(100, True)]),
        ],
        "accidents": [
            (
                "Client",
                "Backwash basin 1",
                "Scalded on the neck when the water ran hot.",
                "Reddened skin on the neck",
                True,
                False,
                False,
                1,
            ),
            (
                "Junior stylist",
                "Dispensary",
                "Developer splashed into the eye while mixing.",
                "Eye irritation",
                True,
                True,
                False,
                30,
            ),
        ],
        "rams": [
            ("Mixing and applying lightener", "Lightening services", [("1.0", True), ("1.1", False)]),
            ("Deep clean of the backwash basins", "Monthly basin and drain clean", [("1.0", True)]),
        ],
    },
    "health_club": {
        "categories": [
            ("Pool safety & water quality", 10, "Pool Safety Operating Procedures, water testing and plant (HSG179)."),
            ("Legionella control", 9, "Water system risk assessment, flushing and descaling (ACoP L8)."),
            ("Gym equipment", 8, "Servicing and daily checks of cardio and resistance equipment."),
            ("First aid & lifeguarding", 8, "NPLQ qualifications, the defibrillator and first aid kits."),
            ("Fire safety", 7, "Alarms, drills and the fire risk assessment."),
        ],
        "items": [
            (
                "Pool safety & water quality",
                "Pool water chemistry log review (free chlorine and pH)",
                M,
                11,
                19,
                "manager",
                "Tests every two hours while open.",
            ),
            (
                "Pool safety & water quality",
                "Pool Safety Operating Procedures (NOP and EAP) review",
                A,
                -25,
                390,
                "owner",
                "",
            ),
            ("Pool safety & water quality", "Microbiological pool water sample (UKAS lab)", M, -4, 34, "manager", ""),
            ("Pool safety & water quality", "Plant room chemical storage inspection", Q, 50, 40, "staff", ""),
            (
                "Pool safety & water quality",
                "Flume ride annual inspection",
                A,
                NA,
                None,
                "manager",
                "The club has no flume.",
            ),
            ("Legionella control", "Legionella risk assessment", A, 210, 155, "owner", "Assessment by a contractor."),
            ("Legionella control", "Shower head descale and disinfection", Q, 22, 68, "staff", ""),
            ("Legionella control", "Weekly flushing of little-used outlets - log review", M, 8, 22, "staff", ""),
            ("Gym equipment", "Gym equipment service contract visit", Q, 35, 55, "manager", "Engineer's report filed."),
            ("Gym equipment", "Free-weights area daily check log review", M, 17, 13, "staff", ""),
            ("First aid & lifeguarding", "Lifeguard NPLQ certificates in date", A, 60, 305, "manager", ""),
            ("First aid & lifeguarding", "Defibrillator pads and battery check", M, -6, 36, "staff", ""),
            ("Fire safety", "Fire alarm service", Q, 40, 50, "manager", ""),
            ("Fire safety", "Full evacuation drill including the pool hall", Q, 70, 20, "manager", ""),
        ],
        "incidents": [
            (
                "Swimmer in difficulty in the deep end",
                "Lifeguard rescued a weak swimmer at 07:40; the swimmer recovered on the poolside and declined an "
                "ambulance. Emergency action plan followed.",
                "Main pool - deep end",
                "critical",
                14,
                "signed_off",
                ["Rescue tube and spinal board after use"],
            ),
            (
                "Free chlorine above 5 mg/l",
                "A dosing controller fault raised free chlorine to 5.6 mg/l; the pool was closed for two hours "
                "until levels were back in range.",
                "Main pool / plant room",
                "high",
                8,
                "resolved",
                ["Controller display"],
            ),
            (
                "Treadmill belt snapped during use",
                "The belt of treadmill 3 tore at 8 km/h; the member stepped off safely. Machine out of service.",
                "Gym floor - cardio",
                "high",
                4,
                "signed_off",
                ["Torn belt"],
            ),
            (
                "Member felt faint in a spin class",
                "Member felt dizzy twenty minutes in; sat down, given water and a sugary drink and watched. "
                "The defibrillator was not needed.",
                "Studio 2",
                "medium",
                2,
                "investigating",
                [],
            ),
            (
                "Broken tile on the poolside",
                "Cracked tile with a sharp edge near the shallow-end steps; area coned off.",
                "Poolside - shallow end",
                "medium",
                0,
                "open",
                ["Cracked tile, coned off"],
            ),
        ],
        "assessments": [
            (
                "Swimming pool operation (PSOP)",
                "Pool hall",
                240,
                "active",
                [
                    (
                        "Drowning - weak or non-swimmers",
                        "Members and children",
                        2,
                        5,
                        "Lifeguard ratio 1:25, depth signs, rescue equipment.",
                        False,
                    ),
                    (
                        "Slips on the wet poolside",
                        "Members and staff",
                        4,
                        2,
                        "Anti-slip tiles, no-running signs, squeegee rota.",
                        False,
                    ),
                    (
                        "Chemical exposure in the plant room",
                        "Plant operators",
                        2,
                        4,
                        "Separate storage, PPE, COSHH training.",
                        True,
                    ),
                ],
            ),
            (
                "Gym floor - free weights and machines",
                "Gym",
                150,
                "active",
                [
                    ("Dropped weights", "Members", 3, 3, "Rubber flooring; racks at waist height.", True),
                    ("Machine failure", "Members", 2, 4, "Quarterly service, daily checks, out-of-order tags.", False),
                ],
            ),
            (
                "Sauna and steam room",
                "Spa",
                -5,
                "active",
                [
                    (
                        "Overheating and dehydration",
                        "Members",
                        2,
                        4,
                        "Time limits displayed; thermostat locked; hourly checks.",
                        False,
                    ),
                ],
            ),
        ],
        "equipment": [
            ("Treadmill 1", "TM-LF-10231", "Gym floor", 90, [(85, True)]),
            ("Treadmill 3", "TM-LF-10233", "Gym floor", 90, [(80, True), (4, False)]),
            ("Cable crossover machine", "CC-4410", "Gym floor", 180, [(120, True)]),
            ("Squat rack and bars", "SR-208", "Free-weights area", 180, [(175, True)]),
            ("Pool hoist", "PH-HS2", "Main pool", 180, [(150, True)]),
            ("Defibrillator (AED)", "AED-ZOLL-7781", "Reception", 30, [(29, True)]),
            ("Pool dosing and filtration plant", "PLANT-01", "Plant room", 30, [(10, True)]),
            ("Sauna heater", "SH-9KW", "Spa", 365, [(380, True)]),
        ],
        "accidents": [
            (
                "Member (junior swim squad)",
                "Poolside - shallow end",
                "Slipped on the wet poolside while running to the changing room.",
                "Grazed knee",
                True,
                False,
                False,
                18,
            ),
            (
                "Member",
                "Free-weights area",
                "Dropped a 20 kg dumbbell on their foot while re-racking.",
                "Suspected broken toe; taken to A&E",
                True,
                True,
                True,
                7,
            ),
            (
                "Lifeguard",
                "Plant room",
                "Chlorine granule dust got into the eye while topping up the feeder.",
                "Eye irritation",
                True,
                False,
                False,
                40,
            ),
        ],
        "rams": [
            (
                "Pool chemical delivery and decanting",
                "Sodium hypochlorite and acid deliveries",
                [("1.0", True), ("2.0", True)],
            ),
            ("Sauna heater maintenance", "Replacing sauna heater elements", [("1.0", True)]),
            ("Replacing pool hall high-level lights", "Working at height over the pool", [("1.0", False)]),
        ],
    },
    "therapy": {
        "categories": [
            ("Safeguarding", 10, "Safeguarding adults and children: policy, training, DBS checks and referrals."),
            ("Clinical governance", 9, "Supervision, registration, case notes and clinical risk."),
            ("Data protection", 8, "UK GDPR: ICO fee, security of records and breaches."),
            ("Premises & lone working", 6, "Room safety, panic alarms and lone working."),
            ("Fire safety", 5, "Alarms, emergency lighting and the fire risk assessment."),
        ],
        "items": [
            ("Safeguarding", "Enhanced DBS checks for all practitioners (update service)", A, 90, 275, "owner", ""),
            ("Safeguarding", "Safeguarding adults and children training (level 2)", A, -10, 375, "manager", ""),
            ("Safeguarding", "Safeguarding policy review", A, 130, 235, "owner", "Policy v4 approved."),
            ("Clinical governance", "Clinical supervision log (1.5 hours a month)", M, 10, 20, "manager", ""),
            ("Clinical governance", "BACP/UKCP registration check for all practitioners", A, 28, 337, "manager", ""),
            ("Clinical governance", "Case notes audit", Q, -14, 104, "manager", ""),
            ("Clinical governance", "Professional indemnity insurance renewal", A, 160, 205, "owner", ""),
            (
                "Clinical governance",
                "Controlled drugs register",
                A,
                NA,
                None,
                "owner",
                "No medicines are prescribed or kept.",
            ),
            ("Data protection", "ICO data protection fee", A, 55, 310, "owner", "Registration number on file."),
            ("Data protection", "Client records access review", Q, 35, 55, "manager", ""),
            ("Premises & lone working", "Panic alarm test in each therapy room", M, 5, 25, "staff", ""),
            ("Premises & lone working", "Lone working check-in procedure review", A, 200, 165, "manager", ""),
            ("Fire safety", "Fire alarm and emergency lighting test", M, 18, 12, "staff", ""),
        ],
        "incidents": [
            (
                "Client disclosed a risk of harm - safeguarding referral",
                "During a session a client disclosed a risk to a child in the household. The designated "
                "safeguarding lead was told the same day and a referral made to children's social care.",
                "Therapy room 2",
                "critical",
                16,
                "signed_off",
                [],
            ),
            (
                "Case notes left in an unlocked cabinet",
                "Paper notes were found in an unlocked cabinet overnight, with no sign of access. Lock replaced "
                "and all practitioners reminded of the clear-desk policy.",
                "Office",
                "high",
                10,
                "signed_off",
                ["Cabinet with the replaced lock"],
            ),
            (
                "Appointment email sent to the wrong client",
                "A reminder with a first name and time went to the wrong address. The recipient deleted it; "
                "logged as a breach that is not reportable to the ICO.",
                "Administration",
                "medium",
                5,
                "resolved",
                [],
            ),
            (
                "Threats from a visitor in the waiting area",
                "A client's partner became verbally aggressive at reception. De-escalated; the session moved online.",
                "Waiting area",
                "high",
                2,
                "investigating",
                [],
            ),
        ],
        "assessments": [
            (
                "Lone working - evening sessions",
                "Whole building after 18:00",
                180,
                "active",
                [
                    (
                        "Aggression from a client or visitor",
                        "Practitioners",
                        2,
                        4,
                        "Panic alarms, check-in call at session end, no new clients after 18:00.",
                        False,
                    ),
                    (
                        "Medical emergency with no colleague present",
                        "Practitioners and clients",
                        1,
                        4,
                        "First aider on call; a phone in every room.",
                        True,
                    ),
                ],
            ),
            (
                "Clinical risk - clients at risk of self-harm",
                "Clinical practice",
                60,
                "active",
                [
                    (
                        "Escalating risk missed between sessions",
                        "Clients",
                        2,
                        5,
                        "Risk screening at assessment and review; crisis plan and helplines given.",
                        False,
                    ),
                ],
            ),
            (
                "Therapy rooms and waiting area",
                "Premises",
                20,
                "draft",
                [
                    ("Trips on rugs and cables", "Clients and staff", 2, 2, "Rugs taped down; cables routed.", True),
                ],
            ),
        ],
        "equipment": [
            ("Panic alarm - therapy room 1", "PA-R1", "Therapy room 1", 30, [(28, True)]),
            ("Panic alarm - therapy room 2", "PA-R2", "Therapy room 2", 30, [(40, True)]),
            ("Emergency lighting", "EL-SYS-1", "Whole building", 30, [(20, True)]),
            ("Fire extinguishers (x3)", "", "Corridors", 365, [(300, True)]),
            ("First aid kit", "FAK-01", "Reception", 90, [(85, True)]),
        ],
        "accidents": [
            (
                "Client",
                "Waiting area",
                "Tripped on the edge of a rug on arrival.",
                "Bruised knee",
                True,
                False,
                False,
                25,
            ),
        ],
        "rams": [
            (
                "Evening lone working procedure",
                "Sessions after 18:00 with one practitioner in the building",
                [("1.0", True), ("1.1", True)],
            ),
            ("Managing a client in crisis", "From a disclosure of risk to the emergency services", [("2.0", True)]),
            ("Home visits", "Therapy sessions at a client's home", [("0.9", False)]),
        ],
    },
    "agency": {
        "categories": [
            ("Office safety", 6, "Display screen equipment, first aid and housekeeping."),
            ("Fire safety", 6, "Extinguishers and the fire risk assessment."),
            ("Data protection", 8, "ICO fee, backups and client data."),
        ],
        "items": [
            ("Office safety", "Display screen equipment assessments", A, 100, 265, "manager", ""),
            ("Office safety", "Portable appliance testing", A, -7, 372, "manager", ""),
            ("Fire safety", "Fire extinguisher service", A, 60, 305, "owner", ""),
            ("Data protection", "ICO data protection fee", A, 120, 245, "owner", ""),
            ("Data protection", "Backup restore test", M, 12, 18, "staff", ""),
        ],
        "incidents": [
            (
                "Laptop left on a train",
                "Encrypted laptop left on the 17:42; recovered from lost property next day.",
                "Off site",
                "medium",
                20,
                "signed_off",
                [],
            ),
            (
                "Trip on a monitor cable",
                "Cable across the walkway by the window desks; re-routed.",
                "Office",
                "low",
                3,
                "open",
                [],
            ),
        ],
        "assessments": [
            (
                "Office and display screen equipment",
                "Office",
                200,
                "active",
                [
                    ("Neck and back strain at desks", "Staff", 3, 2, "DSE assessments; adjustable chairs.", True),
                ],
            ),
        ],
        "equipment": [
            ("Fire extinguisher (CO2)", "FX-NB-01", "Office", 365, [(200, True)]),
            ("First aid kit", "FAK-NB-01", "Kitchenette", 90, [(80, True)]),
        ],
        "accidents": [
            ("Staff member", "Kitchenette", "Scalded hand on the kettle.", "Minor burn", True, False, False, 12),
        ],
        "rams": [("Working at clients' premises", "Installs and training on site", [("1.0", True)])],
    },
}

INCIDENT_SEVERITY = {s.value: s for s in IncidentReport.Severity}
PHOTO_COLOURS = [(196, 64, 52), (52, 120, 196), (90, 160, 90), (200, 160, 60), (120, 90, 160)]


def seed_demo_data(*, tenant: TenantSettings, kind: str, rng: random.Random, users: dict) -> None:
    data = CATALOGUE.get(kind, CATALOGUE["agency"])
    now = timezone.now()
    timeline: list[tuple[datetime, int, Callable[[], None]]] = []

    def at(when: datetime, step: Callable[[], None]) -> None:
        timeline.append((when, len(timeline), step))

    at(now - timedelta(days=30), lambda: _register(tenant=tenant, data=data, users=users))
    for incident in data["incidents"]:
        _plan_incident(at=at, tenant=tenant, incident=incident, users=users, rng=rng, now=now)
    for accident in data["accidents"]:
        at(
            now - timedelta(days=accident[-1], hours=rng.randint(1, 6)),
            lambda accident=accident: _accident(tenant=tenant, accident=accident, users=users, rng=rng, now=now),
        )
    at(now - timedelta(days=1, hours=3), lambda: _complete_an_overdue_item(tenant=tenant, users=users))

    for when, _, step in sorted(timeline, key=lambda entry: (entry[0], entry[1])):
        audit_mark = _latest_pk(ScoreAuditLog.objects.filter(score__tenant=tenant))
        event_mark = _latest_pk(BusinessEvent.objects.filter(tenant=tenant))
        step()
        # What the step wrote happened at the step's time.
        ScoreAuditLog.objects.filter(score__tenant=tenant, pk__gt=audit_mark).update(created_at=when)
        BusinessEvent.objects.filter(tenant=tenant, pk__gt=event_mark).update(created_at=when)

    _seed_equipment(tenant=tenant, data=data, users=users)
    _seed_assessments(tenant=tenant, data=data, users=users)
    _seed_rams(tenant=tenant, data=data, users=users)


def _latest_pk(queryset) -> int:
    latest = queryset.order_by("-pk").values_list("pk", flat=True).first()
    return latest or 0


def _register(*, tenant, data, users) -> None:
    """The categories and items as the business first wrote them down, then the first score."""
    today = tenant.today()
    categories = {
        name: ComplianceCategory.objects.create(tenant=tenant, name=name, weight=weight, description=description)
        for name, weight, description in data["categories"]
    }
    for category, title, frequency, due_in, done_ago, owner, evidence in data["items"]:
        applicable = due_in is not NA
        ComplianceItem.objects.create(
            tenant=tenant,
            category=categories[category],
            title=title,
            frequency=frequency,
            due_date=today + timedelta(days=due_in if applicable else 365),
            last_completed_on=today - timedelta(days=done_ago) if done_ago is not None else None,
            status=ComplianceItem.Status.COMPLIANT if applicable else ComplianceItem.Status.NOT_APPLICABLE,
            owner=users[owner],
            evidence_note=evidence,
        )
    services.peace_of_mind_recompute(tenant=tenant, reason="Compliance register set up", performed_by=users["owner"])


def _complete_an_overdue_item(*, tenant, users) -> None:
    """The manager catches up on the most overdue check (the score goes up)."""
    item = (
        ComplianceItem.objects.filter(tenant=tenant, status=ComplianceItem.Status.OVERDUE)
        .order_by("due_date", "id")
        .first()
    )
    if item is not None:
        services.compliance_item_complete(
            item=item,
            completed_on=tenant.today() - timedelta(days=1),
            evidence_note=f"{item.evidence_note} Caught up after the overdue reminder.".strip(),
            performed_by=users["manager"],
        )


def _plan_incident(*, at, tenant, incident, users, rng, now) -> None:
    title, description, location, severity, days_ago, outcome, photos = incident
    occurred_at = now - timedelta(days=days_ago, hours=rng.randint(1, 5), minutes=rng.choice([0, 15, 30, 45]))
    reporter = users["staff"] if rng.random() < 0.7 else users["manager"]
    created: dict[str, IncidentReport] = {}

    def report() -> None:
        created["incident"] = services.incident_report(
            tenant=tenant,
            reported_by=reporter,
            title=title,
            description=description,
            occurred_at=occurred_at,
            location=location,
            severity=INCIDENT_SEVERITY[severity],
        )
        for n, caption in enumerate(photos):
            _photo(incident=created["incident"], caption=caption, n=n)

    at(occurred_at + timedelta(minutes=20), report)
    if outcome == "open":
        return
    follow_up = min(occurred_at + timedelta(hours=20), now - timedelta(minutes=30))

    def investigate() -> None:
        # An incident that will be signed off stays under investigation until the sign-off closes it.
        status = IncidentReport.Status.RESOLVED if outcome == "resolved" else IncidentReport.Status.INVESTIGATING
        # The updated incident, so that the sign-off moves it from the state it is in now.
        created["incident"] = services.incident_update(
            incident=created["incident"], performed_by=users["manager"], status=status
        )

    at(follow_up, investigate)
    if outcome == "signed_off":
        signer = users["owner"] if severity == "critical" else users["manager"]
        at(
            min(follow_up + timedelta(hours=6), now - timedelta(minutes=10)),
            lambda: services.incident_sign_off(
                incident=created["incident"],
                signed_by=signer,
                comment="Investigation reviewed, actions complete and the team briefed.",
            ),
        )


def _photo(*, incident: IncidentReport, caption: str, n: int) -> None:
    """A small placeholder image, stored anew by each reset (the reset deletes the old
    business's files, by name, once it has committed)."""
    storage = IncidentPhoto._meta.get_field("image").storage
    name = f"tenants/{incident.tenant.slug}/incidentphoto/demo-{_slug(incident.title)}-{n + 1}.png"
    colour = PHOTO_COLOURS[zlib.crc32(name.encode()) % len(PHOTO_COLOURS)]
    name = storage.save(name, ContentFile(_png(96, 64, colour)))
    photo = IncidentPhoto.objects.create(incident=incident, image=name, caption=caption)
    IncidentPhoto.objects.filter(pk=photo.pk).update(uploaded_at=incident.occurred_at + timedelta(minutes=25))


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _accident(*, tenant, accident, users, rng, now) -> None:
    person, location, description, injury, first_aid, hospital, riddor, days_ago = accident
    services.accident_report(
        tenant=tenant,
        reported_by=users["staff"] if rng.random() < 0.6 else users["manager"],
        person_involved=person,
        occurred_at=now - timedelta(days=days_ago, hours=rng.randint(1, 6)),
        location=location,
        description=description,
        injury=injury,
        first_aid_given=first_aid,
        hospital_visit=hospital,
        riddor_reportable=riddor,
    )


def _seed_equipment(*, tenant, data, users) -> None:
    today = tenant.today()
    for name, serial, location, interval, inspections in data["equipment"]:
        first_due = today - timedelta(days=max(days for days, _ in inspections))
        equipment = Equipment.objects.create(
            tenant=tenant,
            name=name,
            serial_number=serial,
            location=location,
            inspection_interval_days=interval,
            next_inspection_due=first_due,
        )
        for days_ago, passed in sorted(inspections, reverse=True):
            inspector = users["staff"] if interval <= 90 else users["manager"]
            inspected_on = today - timedelta(days=days_ago)
            inspection = services.equipment_inspection_record(
                equipment=equipment,
                inspector=inspector,
                inspected_on=inspected_on,
                passed=passed,
                notes="Checked against the manufacturer's list." if passed else "Failed - taken out of use.",
                recorded_by=inspector,
            )
            BusinessEvent.objects.filter(
                tenant=tenant, object_type="equipmentinspection", object_id=str(inspection.pk)
            ).update(created_at=datetime.combine(inspected_on, time(11), tenant.zone))


def _seed_assessments(*, tenant, data, users) -> None:
    today = tenant.today()
    for title, area, review_in, status, findings in data["assessments"]:
        assessed_on = today - timedelta(days=max(30, 365 - review_in))
        assessment = RiskAssessment.objects.create(
            tenant=tenant,
            title=title,
            area=area,
            assessor=users["manager"],
            assessed_on=assessed_on,
            review_due=max(today + timedelta(days=review_in), assessed_on),
            status=status,
            created_by=users["owner"],
        )
        for hazard, who, likelihood, severity, controls, resolved in findings:
            HazardFinding.objects.create(
                assessment=assessment,
                hazard=hazard,
                who_at_risk=who,
                likelihood=likelihood,
                severity=severity,
                controls=controls,
                action_owner=None if resolved else users["manager"],
                action_due=None if resolved else today + timedelta(days=14 if likelihood * severity >= 10 else 45),
                resolved=resolved,
            )


def _seed_rams(*, tenant, data, users) -> None:
    storage = RAMSDocument._meta.get_field("file").storage
    for title, activity, versions in data["rams"]:
        for version, approved in versions:
            name = storage.save(
                f"tenants/{tenant.slug}/ramsdocument/demo-{_slug(title)}-v{version}.txt",
                ContentFile(_method_statement(tenant, title, activity, version).encode()),
            )
            document = RAMSDocument.objects.create(
                tenant=tenant, title=title, activity=activity, version=version, file=name, created_by=users["manager"]
            )
            if approved:
                services.rams_approve(document=document, approved_by=users["owner"])


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:60]


def _method_statement(tenant, title: str, activity: str, version: str) -> str:
    return (
        f"{tenant.name}\nRisk assessment and method statement: {title} (version {version})\n\n"
        f"Activity: {activity}\n\n"
        "1. Hazards: see the risk assessment for the area.\n"
        "2. Controls: trained staff only; PPE as listed; area signed and cordoned.\n"
        "3. Method: brief the team, isolate equipment, carry out the work, check and sign off.\n"
        "4. Emergency: first aider on site; stop work and report any incident.\n"
    )
