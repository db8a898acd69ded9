"""Demo content for the site's own pages: the home introduction and "What is deflection?".

Each app may have a `demo` module with a `load(stdout)` function; `load_demo_content` calls
them in INSTALLED_APPS order. Every loader is idempotent: it creates what is missing and
leaves alone what staff have since edited.
"""

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

HOME_INTRO = """
<p class="lead">Deflection connects people with substance use or mental health needs to
community treatment and support at the moment they meet police, fire or EMS, instead of
arresting them or leaving them with no help.</p>
<p>This portal serves the people building deflection programs in Oregon: county coordinators,
law enforcement and first responders, behavioral-health and peer-recovery staff, and tribal
and city partners. Read what deflection is, learn the models in the resource library, and
join the ECHO series where teams work through real implementation questions together.</p>
"""

# The one quotation in the content, attributed; on the Spanish page it stays in English.
JCOIN_DEFINITION = """
<p>“Deflection serves as a community-centered practice by which law enforcement or other first
responders make warm handoffs to community-based treatment and/or other services for people
who have substance use or mental health disorders. Deflection presents an alternative to
arresting people who might otherwise either enter the justice system or receive no assistance
to address their needs.”</p>
<footer>Definition courtesy of the <cite>Justice Community Opioid Innovation Network
(JCOIN)</cite>.</footer>
</blockquote>
"""

WHAT_IS_DEFLECTION = (
    '\n<blockquote class="definition" cite="https://jcoinctc.org/">'
    + JCOIN_DEFINITION
    + """
<h2>What it means in practice</h2>
<p>A deflection encounter starts where an officer, firefighter or paramedic meets someone whose
situation is driven by substance use or a mental health condition. Instead of an arrest, or a
call that ends with nothing changing, the responder makes a warm handoff: a direct, personal
connection to a treatment provider, a peer recovery mentor or another community service that
is ready to take the person on.</p>
<p>Programs differ in who makes the first contact and when. Some begin with a person asking
for help themselves; others with outreach teams, with a visit after an overdose, or with an
officer's referral during a call. The resource library describes the common models and
pathways.</p>

<h2>Deflection in Oregon</h2>
<p>Oregon House Bill 4002, signed on April 1, 2024, encourages law enforcement to use
deflection, working with a new system of local deflection programs run by counties and their
partners.</p>
<p>The same law set up a $20 million grant program at the Oregon Criminal Justice Commission
to help communities establish new deflection programs.</p>

<h2>Where to go next</h2>
<ul>
<li><a href="/library/">Browse the resource library</a> to learn the deflection models.</li>
<li><a href="/echo/">See the ECHO programs</a>, their session archive and how to join.</li>
</ul>
"""
)

PAGES = [
    {"url": "/", "title": "Deflection Information and Resources", "content": HOME_INTRO},
    {"url": "/what-is-deflection/", "title": "What is deflection?", "content": WHAT_IS_DEFLECTION},
]


def load(stdout) -> None:
    site, _ = Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "localhost", "name": "Deflection Portal"}
    )
    if site.name == "example.com":
        site.domain, site.name = "localhost", "Deflection Portal"
        site.save()
    for page in PAGES:
        flatpage, created = FlatPage.objects.get_or_create(
            url=page["url"], defaults={"title": page["title"], "content": page["content"].strip()}
        )
        flatpage.sites.add(site)
        stdout.write(f"{'Created' if created else 'Kept'} page {page['url']}")
    load_spanish(stdout)


def add_spanish(obj, texts: dict[str, str]) -> None:
    """Give `obj` the Spanish of each field in `texts` whose Spanish is still empty; Spanish
    that staff have written is kept."""
    missing = [field for field in texts if not (getattr(obj, f"{field}_es", None) or "").strip()]
    for field in missing:
        setattr(obj, f"{field}_es", texts[field].strip())
    if missing:
        obj.save(update_fields=[f"{field}_es" for field in missing])


HOME_INTRO_ES = """
<p class="lead">La desviación conecta a las personas con necesidades de consumo de sustancias o
de salud mental con tratamiento y apoyo en su comunidad en el momento en que se encuentran con
la policía, los bomberos o los servicios de emergencia, en lugar de arrestarlas o dejarlas sin
ayuda.</p>
<p>Este portal sirve a quienes crean programas de desviación en Oregón: coordinadores de los
condados, policía y personal de primera respuesta, personal de salud conductual y de apoyo entre
pares, y socios tribales y municipales. Lea qué es la desviación, conozca los modelos en la
biblioteca de recursos y únase a las series ECHO, donde los equipos trabajan juntos en preguntas
reales de implementación.</p>
"""

WHAT_IS_DEFLECTION_ES = (
    '\n<blockquote class="definition" cite="https://jcoinctc.org/" lang="en">'
    + JCOIN_DEFINITION
    + """<p>En resumen: la desviación es una práctica centrada en la comunidad. La policía u otro
personal de primera respuesta pone a la persona en contacto directo con tratamiento u otros
servicios en su comunidad, como alternativa al arresto.</p>

<h2>Qué significa en la práctica</h2>
<p>Un encuentro de desviación empieza cuando un policía, un bombero o un paramédico se encuentra
con alguien cuya situación se debe al consumo de sustancias o a un problema de salud mental. En
lugar de un arresto, o de una llamada que termina sin que nada cambie, el personal hace un
traspaso directo y personal a un proveedor de tratamiento, a un mentor de recuperación entre
pares o a otro servicio de la comunidad que está listo para recibir a la persona.</p>
<p>Los programas se diferencian en quién hace el primer contacto y cuándo. Algunos empiezan
cuando la persona pide ayuda; otros, con equipos de alcance, con una visita después de una
sobredosis o con la remisión de un policía durante una llamada. La biblioteca de recursos
describe los modelos y las vías más comunes.</p>

<h2>La desviación en Oregón</h2>
<p>La ley House Bill 4002 de Oregón, firmada el 1 de abril de 2024, anima a la policía a usar la
desviación junto con un nuevo sistema de programas locales de desviación que dirigen los
condados y sus socios.</p>
<p>La misma ley creó un programa de subvenciones de 20 millones de dólares en la Comisión de
Justicia Penal de Oregón para ayudar a las comunidades a crear nuevos programas de
desviación.</p>

<h2>Siguientes pasos</h2>
<ul>
<li><a href="/es/library/">Consulte la biblioteca de recursos</a> para conocer los modelos de
desviación.</li>
<li><a href="/es/echo/">Vea los programas ECHO</a>, el archivo de sesiones y cómo
participar.</li>
</ul>
"""
)

PAGES_ES = {
    "/": {"title": "Información y recursos sobre la desviación", "content": HOME_INTRO_ES},
    "/what-is-deflection/": {"title": "¿Qué es la desviación?", "content": WHAT_IS_DEFLECTION_ES},
}

PROGRAM_ES = {
    "program_name": "Portal de Desviación",
    "official_line": "Recursos y capacitación para los programas de desviación de Oregón",
}


def load_spanish(stdout) -> None:
    from .models import SINGLETON_PK, ProgramSettings

    for url, texts in PAGES_ES.items():
        page = FlatPage.objects.filter(url=url).first()
        if page:
            add_spanish(page, texts)
    program, _ = ProgramSettings.objects.get_or_create(pk=SINGLETON_PK)
    add_spanish(program, PROGRAM_ES)
    stdout.write("Spanish added to the site's pages and program settings where missing")
