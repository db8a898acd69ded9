"""Demo content for the library: both collections, the topics and audiences, the three
"basics" resources from the seed and a set of further resources across topics and types.

Idempotent: rows are found by slug and created only when missing; nothing that exists is
changed, so staff edits survive a second run. The texts are summaries in our own words; the
links go to the organisations' public sites.
"""

from datetime import date

from .models import Audience, Collection, Resource, ResourceType, Topic

DEFLECTION = "deflection-resources"
CLINICAL = "clinical-resources"

COLLECTIONS = [
    {
        "slug": DEFLECTION,
        "title": "Deflection Resources Library",
        "order": 0,
        "description": (
            "Deflection models and pathways, Oregon policy and funding, and program "
            "evaluation, for law enforcement, first responders and their community partners. "
            "If you're looking for clinical addiction care resources instead, go to our "
            "Clinical Resources Library."
        ),
    },
    {
        "slug": CLINICAL,
        "title": "Clinical Resources Library",
        "order": 1,
        "description": (
            "Clinical addiction care: treatment, medications, trauma-informed practice and "
            "recovery support, for the behavioral-health partners who receive deflection "
            "referrals."
        ),
    },
]

TOPICS = [
    ("deflection-basics", "Deflection basics"),
    ("civil-citation", "Civil Citation model"),
    ("officer-intervention", "Officer Intervention model"),
    ("lead", "LEAD (Law Enforcement Assisted Diversion)"),
    ("pathway-self-referral", "Pathway: self-referral"),
    ("pathway-active-outreach", "Pathway: active outreach"),
    ("pathway-naloxone-plus", "Pathway: naloxone plus"),
    ("pathway-first-responder-officer-referral", "Pathway: first responder and officer referral"),
    ("pathway-officer-intervention", "Pathway: officer intervention"),
    ("pathway-community-response", "Pathway: community response"),
    ("oregon-policy-funding", "Oregon policy and funding"),
    ("data-evaluation", "Data and evaluation"),
    ("treatment", "Treatment"),
]

AUDIENCES = [
    ("law-enforcement", "Law enforcement"),
    ("fire-ems", "Fire and EMS"),
    ("behavioral-health", "Behavioral health providers"),
    ("peer-recovery", "Peer recovery mentors"),
    ("county-tribal-government", "County and tribal government"),
    ("courts-prosecution", "Courts and prosecutors"),
]

PTACC = "https://ptaccollaborative.org/"
PORTAL = "Deflection Portal"

RESOURCES = [
    {
        "slug": "civil-citation-model",
        "title": "Civil Citation Model",
        "collection": DEFLECTION,
        "resource_type": ResourceType.GUIDE,
        "topics": ["deflection-basics", "civil-citation", "pathway-officer-intervention"],
        "audiences": ["law-enforcement", "courts-prosecution", "county-tribal-government"],
        "source": PORTAL,
        "external_url": PTACC,
        "is_featured": True,
        "summary": (
            "Instead of arresting someone for an eligible low-level offense, an officer issues "
            "a civil citation that refers the person to an assessment and services; completing "
            "them keeps the encounter off the person's criminal record."
        ),
        "body": """
## How it works

A civil citation program gives officers a lawful alternative to arrest for a defined list of
low-level offenses. The officer writes a citation rather than booking the person, and the
citation comes with a referral: an assessment, then the services or intervention it
recommends.

* **Eligibility** is set in advance by the partners (law enforcement, prosecutors, courts and
  service providers): which offenses qualify and who may be cited.
* **Follow-through** is tracked by the program. A person who completes the requirements leaves
  without an arrest record; the program decides in advance what happens if they do not.
* **The partners** agree who receives referrals and how quickly a person is seen.

Civil citation is best known from Florida, where it began with young people and was later
extended to adults in some counties. In the deflection pathways it is a form of *officer
intervention*: the offense has happened, and a referral takes the place of a charge.
""",
    },
    {
        "slug": "understand-officer-intervention-for-deflection",
        "title": "Understand Officer Intervention for Deflection",
        "collection": DEFLECTION,
        "resource_type": ResourceType.GUIDE,
        "topics": ["deflection-basics", "officer-intervention", "pathway-officer-intervention"],
        "audiences": ["law-enforcement", "courts-prosecution", "behavioral-health"],
        "source": PORTAL,
        "external_url": PTACC,
        "is_featured": True,
        "summary": (
            "In officer intervention, an officer who could charge someone for a low-level "
            "offense refers them to treatment or services instead; charges are not filed, or "
            "are held while the person engages."
        ),
        "body": """
## Where it fits

Officer intervention is one of the six deflection pathways. It applies when a person has
committed, or is suspected of, a low-level offense connected to substance use or a mental
health condition. Rather than arresting and booking, the officer makes a referral to a
treatment provider, a peer recovery mentor or another service.

## What programs decide up front

* Which offenses and situations are eligible, agreed with the prosecutor.
* What happens to the charge: not filed at all, or held in abeyance while the person engages.
* How the handoff happens: a warm handoff in person or by phone works better than a
  pamphlet.
* How the officer learns the outcome, so that referrals keep coming.

Officer intervention differs from *first responder and officer referral*, where no offense is
involved and the referral is offered during an ordinary contact.
""",
    },
    {
        "slug": "law-enforcement-assisted-diversion-lead-model",
        "title": "Law-Enforcement Assisted Diversion (LEAD) model",
        "collection": DEFLECTION,
        "resource_type": ResourceType.WEBSITE,
        "topics": ["deflection-basics", "lead", "pathway-officer-intervention"],
        "audiences": ["law-enforcement", "courts-prosecution", "behavioral-health"],
        "source": "LEAD National Support Bureau",
        "external_url": "https://www.leadbureau.org/",
        "is_featured": True,
        "summary": (
            "LEAD lets officers send people involved in low-level drug or sex-work offenses, "
            "or at high risk of arrest, to community case managers who take a harm-reduction "
            "approach, instead of booking them."
        ),
        "body": """
## The model

LEAD (Law Enforcement Assisted Diversion) began in Seattle and has since been adopted by many
communities. Officers divert people at the point of arrest, or refer people they know to be
at high risk of arrest, to case managers who work with them over the long term.

* **Harm reduction**: services are not conditional on abstinence; case managers meet people
  where they are.
* **Intensive case management** covers housing, health care, treatment and other needs.
* **Shared governance**: police, prosecutors, service providers, elected officials and the
  community steer the program together and coordinate decisions about each participant.

The LEAD National Support Bureau helps communities plan and run LEAD programs.
""",
    },
    {
        "slug": "six-pathways-to-deflection",
        "title": "The six pathways to deflection",
        "collection": DEFLECTION,
        "resource_type": ResourceType.GUIDE,
        "topics": [
            "deflection-basics",
            "pathway-self-referral",
            "pathway-active-outreach",
            "pathway-naloxone-plus",
            "pathway-first-responder-officer-referral",
            "pathway-officer-intervention",
            "pathway-community-response",
        ],
        "audiences": ["law-enforcement", "fire-ems", "county-tribal-government"],
        "source": "Police, Treatment, and Community Collaborative (PTACC)",
        "external_url": PTACC,
        "is_featured": True,
        "summary": (
            "An overview of the six ways a person can reach treatment through deflection: "
            "self-referral, active outreach, naloxone plus, first responder and officer "
            "referral, officer intervention and community response."
        ),
        "body": """
Deflection programs differ mainly in who makes first contact and when:

1. **Self-referral**: a person asks a police or fire agency for help with substance use,
   without fear of arrest.
2. **Active outreach**: responders, often with peers or clinicians, seek out people who may
   need treatment.
3. **Naloxone plus**: responders follow up after an overdose to connect the person with
   treatment.
4. **First responder and officer referral**: during routine contact, with no charge
   involved, a responder offers a referral.
5. **Officer intervention**: for a low-level offense, a referral takes the place of a
   charge, or the charge is held while the person engages.
6. **Community response**: behavioral-health and community teams answer calls that would
   otherwise go to police.

Most programs combine several pathways.
""",
    },
    {
        "slug": "oregon-house-bill-4002-2024",
        "title": "Oregon House Bill 4002 (2024)",
        "collection": DEFLECTION,
        "resource_type": ResourceType.POLICY,
        "topics": ["oregon-policy-funding"],
        "audiences": ["law-enforcement", "county-tribal-government", "courts-prosecution"],
        "source": "Oregon State Legislature",
        "external_url": "https://olis.oregonlegislature.gov/liz/2024R1/Measures/Overview/HB4002",
        "published_on": date(2024, 4, 1),
        "is_featured": True,
        "summary": (
            "The 2024 Oregon law, signed on April 1, 2024, that encourages law enforcement to "
            "use deflection in coordination with local deflection programs, and that funded "
            "grants to start them."
        ),
        "body": """
House Bill 4002 changed how Oregon responds to possession of small amounts of controlled
substances, and encouraged law enforcement to deflect people to treatment through local
deflection programs run by counties and their partners.

The bill also set up a grant program at the Oregon Criminal Justice Commission to help
communities establish new deflection programs. Read the measure's history and text on the
Legislature's site.
""",
    },
    {
        "slug": "oregon-cjc-deflection-grants",
        "title": "Oregon Criminal Justice Commission: deflection program grants",
        "collection": DEFLECTION,
        "resource_type": ResourceType.WEBSITE,
        "topics": ["oregon-policy-funding"],
        "audiences": ["county-tribal-government", "law-enforcement"],
        "source": "Oregon Criminal Justice Commission",
        "external_url": "https://www.oregon.gov/cjc/",
        "summary": (
            "The state agency that runs the grant program created by HB 4002 to help counties "
            "and tribes establish deflection programs; its site has funding announcements and "
            "reporting requirements."
        ),
    },
    {
        "slug": "self-referral-pathway",
        "title": "Self-referral: when people ask a police or fire station for help",
        "collection": DEFLECTION,
        "resource_type": ResourceType.GUIDE,
        "topics": ["pathway-self-referral"],
        "audiences": ["law-enforcement", "fire-ems", "peer-recovery"],
        "source": PORTAL,
        "external_url": PTACC,
        "summary": (
            "What a self-referral program needs: a clear public promise of no arrest for "
            "asking, staff who know what to do at the door, and a treatment partner ready to "
            "take the person the same day."
        ),
        "body": """
In a self-referral program, anyone can walk into a participating police or fire station and
ask for help with substance use. The station does not arrest them for asking; instead, staff
call a peer or treatment partner who comes to meet them or arranges transport.

Plan for every hour the station is open, for people who arrive in withdrawal, and for
telling the public, in plain words, what will and will not happen when they come in.
""",
    },
    {
        "slug": "active-outreach-pathway",
        "title": "Active outreach: reaching people before the next crisis",
        "collection": DEFLECTION,
        "resource_type": ResourceType.GUIDE,
        "topics": ["pathway-active-outreach"],
        "audiences": ["law-enforcement", "peer-recovery", "behavioral-health"],
        "source": PORTAL,
        "external_url": PTACC,
        "summary": (
            "Outreach teams of officers, peers and clinicians seek out people who may need "
            "treatment, build trust over repeated contacts and offer a warm handoff when the "
            "person is ready."
        ),
    },
    {
        "slug": "naloxone-plus-pathway",
        "title": "Naloxone plus: following up after an overdose",
        "collection": DEFLECTION,
        "resource_type": ResourceType.GUIDE,
        "topics": ["pathway-naloxone-plus", "treatment"],
        "audiences": ["fire-ems", "law-enforcement", "peer-recovery"],
        "source": PORTAL,
        "external_url": "https://www.samhsa.gov/",
        "summary": (
            "After an overdose reversal, a responder and a peer visit the person within days "
            "to offer naloxone, harm-reduction supplies and a connection to treatment."
        ),
        "body": """
An overdose is a moment when people and their families are often open to help. Naloxone plus
programs use the response records of fire, EMS or police to follow up, usually pairing a
responder with a peer recovery mentor.

Agree in advance how overdose information is shared and protected, who makes the visit, and
which treatment partners can start medications for opioid use disorder quickly.
""",
    },
    {
        "slug": "first-responder-and-officer-referral-pathway",
        "title": "First responder and officer referral during routine calls",
        "collection": DEFLECTION,
        "resource_type": ResourceType.GUIDE,
        "topics": ["pathway-first-responder-officer-referral"],
        "audiences": ["law-enforcement", "fire-ems"],
        "source": PORTAL,
        "external_url": PTACC,
        "summary": (
            "During an ordinary call with no charge involved, an officer, firefighter or "
            "paramedic offers a referral to treatment or services and makes the connection "
            "on the spot."
        ),
    },
    {
        "slug": "community-response-pathway",
        "title": "Community response: crisis teams for behavioral-health calls",
        "collection": DEFLECTION,
        "resource_type": ResourceType.GUIDE,
        "topics": ["pathway-community-response"],
        "audiences": ["behavioral-health", "county-tribal-government", "fire-ems"],
        "source": PORTAL,
        "external_url": "https://988lifeline.org/",
        "summary": (
            "Mobile crisis and community teams answer calls about mental health or substance "
            "use that would otherwise go to police, and connect people to care; the 988 line "
            "is one way in."
        ),
    },
    {
        "slug": "measuring-a-deflection-program",
        "title": "Measuring a deflection program: what to record from day one",
        "collection": DEFLECTION,
        "resource_type": ResourceType.GUIDE,
        "topics": ["data-evaluation"],
        "audiences": ["county-tribal-government", "law-enforcement", "behavioral-health"],
        "source": PORTAL,
        "external_url": "https://jcoinctc.org/",
        "is_featured": True,
        "summary": (
            "Decide before launch which referrals, handoffs and treatment engagements you will "
            "count, who records them and how partners share them, so the program can show "
            "what it does."
        ),
        "body": """
Evaluation is far easier when it is planned before the first referral:

* Define each step you will count: contacts, referrals offered, referrals accepted, warm
  handoffs completed, first treatment visit.
* Agree which partner records each step, and how records are linked without exposing more
  personal information than needed.
* Keep the definitions stable, so that numbers from different months compare.

Research networks such as JCOIN publish tools and findings on deflection programs.
""",
    },
    {
        "slug": "jcoin-justice-community-opioid-innovation-network",
        "title": "Justice Community Opioid Innovation Network (JCOIN)",
        "collection": DEFLECTION,
        "resource_type": ResourceType.WEBSITE,
        "topics": ["data-evaluation", "deflection-basics"],
        "audiences": ["county-tribal-government", "behavioral-health"],
        "source": "JCOIN",
        "external_url": "https://jcoinctc.org/",
        "summary": (
            "A research network studying how the justice system and communities can improve "
            "care for people with opioid use disorder, including deflection; the source of "
            "the definition of deflection this portal uses."
        ),
    },
    {
        "slug": "medications-for-opioid-use-disorder-tip-63",
        "title": "Medications for Opioid Use Disorder (SAMHSA TIP 63)",
        "collection": CLINICAL,
        "resource_type": ResourceType.REPORT,
        "topics": ["treatment", "pathway-naloxone-plus"],
        "audiences": ["behavioral-health", "peer-recovery"],
        "source": "Substance Abuse and Mental Health Services Administration (SAMHSA)",
        "external_url": "https://store.samhsa.gov/product/tip-63-medications-opioid-use-disorder/pep21-02-01-002",
        "is_featured": True,
        "summary": (
            "SAMHSA's treatment improvement protocol on the medications approved for opioid "
            "use disorder (methadone, buprenorphine and naltrexone) and how to provide them."
        ),
    },
    {
        "slug": "trauma-informed-care-tip-57",
        "title": "Trauma-Informed Care in Behavioral Health Services (SAMHSA TIP 57)",
        "collection": CLINICAL,
        "resource_type": ResourceType.REPORT,
        "topics": ["treatment"],
        "audiences": ["behavioral-health", "peer-recovery"],
        "source": "Substance Abuse and Mental Health Services Administration (SAMHSA)",
        "external_url": "https://store.samhsa.gov/product/tip-57-trauma-informed-care-behavioral-health-services/sma14-4816",
        "summary": (
            "SAMHSA's treatment improvement protocol on recognising the effects of trauma and "
            "building services that avoid re-traumatising the people they serve."
        ),
    },
    {
        "slug": "asam-criteria",
        "title": "The ASAM Criteria",
        "collection": CLINICAL,
        "resource_type": ResourceType.GUIDE,
        "topics": ["treatment"],
        "audiences": ["behavioral-health"],
        "source": "American Society of Addiction Medicine",
        "external_url": "https://www.asam.org/asam-criteria",
        "summary": (
            "The widely used framework for assessing a person with addiction across several "
            "dimensions and matching them to the right level of care."
        ),
    },
    {
        "slug": "findtreatment-gov",
        "title": "FindTreatment.gov",
        "collection": CLINICAL,
        "resource_type": ResourceType.WEBSITE,
        "topics": ["treatment", "pathway-self-referral"],
        "audiences": ["peer-recovery", "behavioral-health", "law-enforcement"],
        "source": "Substance Abuse and Mental Health Services Administration (SAMHSA)",
        "external_url": "https://findtreatment.gov/",
        "summary": (
            "A federal, confidential locator for substance use and mental health treatment "
            "facilities, searchable by location and by the services offered."
        ),
    },
    {
        "slug": "peer-recovery-support-in-deflection",
        "title": "Peer recovery support in deflection programs",
        "collection": CLINICAL,
        "resource_type": ResourceType.GUIDE,
        "topics": ["treatment", "pathway-active-outreach", "pathway-naloxone-plus"],
        "audiences": ["peer-recovery", "behavioral-health", "law-enforcement"],
        "source": PORTAL,
        "external_url": "https://www.samhsa.gov/brss-tacs",
        "summary": (
            "What peer recovery mentors bring to a warm handoff, how they work alongside "
            "officers and clinicians, and what supervision and support they need."
        ),
        "body": """
Peers are people with lived experience of recovery who are trained to support others. In
deflection they often make the first real conversation possible: they meet the person at the
station, the scene or the door, and stay with them through the first steps into treatment.

Agree roles with law enforcement early: peers are not investigators, and what people tell
them is handled under the provider's confidentiality rules.
""",
    },
    {
        "slug": "oregon-health-authority-behavioral-health",
        "title": "Oregon Health Authority: behavioral health services",
        "collection": CLINICAL,
        "resource_type": ResourceType.WEBSITE,
        "topics": ["treatment", "oregon-policy-funding"],
        "audiences": ["behavioral-health", "county-tribal-government"],
        "source": "Oregon Health Authority",
        "external_url": "https://www.oregon.gov/oha/",
        "summary": (
            "The state agency for health care in Oregon, including behavioral-health services, "
            "treatment programs and the policies that govern them."
        ),
    },
]


def _get_or_create(model, slug: str, defaults: dict, stdout, label: str):
    obj, created = model.objects.get_or_create(slug=slug, defaults=defaults)
    stdout.write(f"{'Created' if created else 'Kept'} {label} {slug}")
    return obj, created


def load(stdout) -> None:
    collections = {}
    for row in COLLECTIONS:
        fields = {key: value for key, value in row.items() if key != "slug"}
        collections[row["slug"]], _ = _get_or_create(
            Collection, row["slug"], fields, stdout, "collection"
        )
    topics = {}
    for order, (slug, name) in enumerate(TOPICS):
        topics[slug], _ = _get_or_create(
            Topic, slug, {"name": name, "order": order}, stdout, "topic"
        )
    audiences = {}
    for order, (slug, name) in enumerate(AUDIENCES):
        audiences[slug], _ = _get_or_create(
            Audience, slug, {"name": name, "order": order}, stdout, "audience"
        )
    for row in RESOURCES:
        fields = {
            key: value
            for key, value in row.items()
            if key not in {"slug", "collection", "topics", "audiences"}
        }
        fields["body"] = fields.get("body", "").strip()
        fields["collection"] = collections[row["collection"]]
        fields["is_published"] = True
        resource, created = _get_or_create(Resource, row["slug"], fields, stdout, "resource")
        if created:
            resource.topics.set([topics[slug] for slug in row["topics"]])
            resource.audiences.set([audiences[slug] for slug in row["audiences"]])
    load_spanish(stdout)


# --- Spanish ------------------------------------------------------------------------------
# The Spanish of the collections, the topics and a handful of resources; the rest of the
# library shows in English on the Spanish pages (marked lang="en").

COLLECTIONS_ES = {
    DEFLECTION: {
        "title": "Biblioteca de recursos sobre la desviación",
        "description": (
            "Modelos y vías de desviación, políticas y financiamiento de Oregón, y evaluación "
            "de programas, para la policía, el personal de primera respuesta y sus socios en "
            "la comunidad. Si busca recursos clínicos sobre el tratamiento de adicciones, "
            "vaya a nuestra Biblioteca de recursos clínicos."
        ),
    },
    CLINICAL: {
        "title": "Biblioteca de recursos clínicos",
        "description": (
            "Atención clínica de adicciones: tratamiento, medicamentos, atención informada "
            "sobre el trauma y apoyo a la recuperación, para los socios de salud conductual "
            "que reciben las remisiones de desviación."
        ),
    },
}

TOPICS_ES = {
    "deflection-basics": "Conceptos básicos de la desviación",
    "civil-citation": "Modelo de citación civil",
    "officer-intervention": "Modelo de intervención policial",
    "lead": "LEAD (desviación asistida por la policía)",
    "pathway-self-referral": "Vía: autorremisión",
    "pathway-active-outreach": "Vía: alcance activo",
    "pathway-naloxone-plus": "Vía: naloxona plus",
    "pathway-first-responder-officer-referral": (
        "Vía: remisión por personal de primera respuesta o por la policía"
    ),
    "pathway-officer-intervention": "Vía: intervención policial",
    "pathway-community-response": "Vía: respuesta comunitaria",
    "oregon-policy-funding": "Políticas y financiamiento de Oregón",
    "data-evaluation": "Datos y evaluación",
    "treatment": "Tratamiento",
}

RESOURCES_ES = {
    "civil-citation-model": {
        "title": "Modelo de citación civil",
        "summary": (
            "En lugar de arrestar a alguien por un delito menor que califica, el policía "
            "emite una citación civil que remite a la persona a una evaluación y a servicios; "
            "si los completa, el encuentro no queda en sus antecedentes penales."
        ),
    },
    "law-enforcement-assisted-diversion-lead-model": {
        "title": "Modelo LEAD (desviación asistida por la policía)",
        "summary": (
            "LEAD permite que la policía envíe a personas con delitos menores de drogas o de "
            "trabajo sexual, o con alto riesgo de arresto, a administradores de casos de la "
            "comunidad que trabajan con reducción de daños, en lugar de detenerlas."
        ),
    },
    "six-pathways-to-deflection": {
        "title": "Las seis vías de la desviación",
        "summary": (
            "Un resumen de las seis formas en que una persona puede llegar al tratamiento por "
            "medio de la desviación: autorremisión, alcance activo, naloxona plus, remisión "
            "por personal de primera respuesta o por la policía, intervención policial y "
            "respuesta comunitaria."
        ),
    },
    "self-referral-pathway": {
        "title": (
            "Autorremisión: cuando alguien pide ayuda en una estación de policía o de bomberos"
        ),
        "summary": (
            "Lo que necesita un programa de autorremisión: una promesa pública clara de que "
            "pedir ayuda no lleva a un arresto, personal que sepa qué hacer en la puerta y un "
            "socio de tratamiento listo para recibir a la persona el mismo día."
        ),
    },
    "naloxone-plus-pathway": {
        "title": "Naloxona plus: seguimiento después de una sobredosis",
        "summary": (
            "Después de revertir una sobredosis, una persona de primera respuesta y un par "
            "visitan a la persona en pocos días para ofrecerle naloxona, materiales de "
            "reducción de daños y un contacto con tratamiento."
        ),
    },
    "peer-recovery-support-in-deflection": {
        "title": "Apoyo de pares en recuperación en los programas de desviación",
        "summary": (
            "Lo que aportan los mentores de recuperación entre pares a un traspaso directo, "
            "cómo trabajan junto a la policía y al personal clínico, y qué supervisión y apoyo "
            "necesitan."
        ),
    },
}


AUDIENCES_ES = {
    "law-enforcement": "Fuerzas del orden",
    "fire-ems": "Bomberos y servicios de emergencia",
    "behavioral-health": "Proveedores de salud conductual",
    "peer-recovery": "Mentores de recuperación entre pares",
    "county-tribal-government": "Gobiernos de condado y tribales",
    "courts-prosecution": "Tribunales y fiscalía",
}


def load_spanish(stdout) -> None:
    from deflection_portal.demo import add_spanish

    for slug, texts in COLLECTIONS_ES.items():
        for collection in Collection.objects.filter(slug=slug):
            add_spanish(collection, texts)
    for slug, name in TOPICS_ES.items():
        for topic in Topic.objects.filter(slug=slug):
            add_spanish(topic, {"name": name})
    for slug, name in AUDIENCES_ES.items():
        for audience in Audience.objects.filter(slug=slug):
            add_spanish(audience, {"name": name})
    for slug, texts in RESOURCES_ES.items():
        for resource in Resource.objects.filter(slug=slug):
            add_spanish(resource, texts)
    stdout.write("Spanish added to the library's collections, topics and some resources")
