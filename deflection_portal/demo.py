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

WHAT_IS_DEFLECTION = """
<blockquote class="definition" cite="https://jcoinctc.org/">
<p>“Deflection serves as a community-centered practice by which law enforcement or other first
responders make warm handoffs to community-based treatment and/or other services for people
who have substance use or mental health disorders. Deflection presents an alternative to
arresting people who might otherwise either enter the justice system or receive no assistance
to address their needs.”</p>
<footer>Definition courtesy of the <cite>Justice Community Opioid Innovation Network
(JCOIN)</cite>.</footer>
</blockquote>

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
