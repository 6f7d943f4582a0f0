"""The content of the Smart City Days demo (`flask seed-demo`): configuration, people and proposals.

Everything here is plain data; review_app/demo.py turns it into rows through the service functions.
All people are fictional; their addresses use the reserved `.example` domain, so no mail reaches anyone.
"""
from __future__ import annotations

from datetime import time

DEMO_PASSWORD = "smartcity-demo-2025"  # noqa: S105 - the documented password of the demo accounts
ADMIN = ("Demo Admin", "admin@smart-city-days.example")

# -- event configuration (the same for every demo edition) ---------------------------------------------

DESCRIPTION = """\
Die **Smart City Days** sind die Innovations- und Digitalisierungsveranstaltung von Stadt Herne,
Herne.Business und ruhrvalley. {intro} Unter dem Titel **„Transformationsprozess Metropolregion Ruhr“**
treffen sich Besucher*innen und Referent*innen aus Herne, dem Ruhrgebiet und ganz Deutschland.

## Zwei Orte, ein Programm

- **Fachtagung** in der Mulvany Villa im Shamrock-Park Herne, Shamrockring 1
- **Programm für Bürger*innen** in der „Alten Druckerei“ bzw. im „Thinktank“ des Applied Excellence
  Departments, Bebelstraße 20, mitten in der Herner Innenstadt: Vorträge, Präsentationen und
  **Projekte zum Anfassen** – vom Glasfaserausbau bis zur Freischaltung des ePersonalausweises

## Was wir suchen

Praxisnahe **Best-Practice-Berichte** von Projekten aus Städten, Verwaltung und Unternehmen: Was wurde
umgesetzt, was hat funktioniert, was können andere Städte übernehmen? Besonders willkommen ist der
**Transfer aus der Wissenschaft in die konkrete Anwendung vor Ort**, etwa aus dem DeepTech-Netzwerk
ruhrvalley.

Schwerpunkte sind KI als Transformationsbeschleuniger, Data Spaces, IT-Infrastruktur und Glasfaserausbau,
Smart City Transformation durch Energieeffizienz, Transformation durch intelligente Mobilität und die
digitale Verwaltung.

Die Anmeldung zur Teilnahme erfolgt über www.smart-people-city.de; hier reichen Sie Ihren Beitrag ein.
"""

MOTTO_DE = "Transformationsprozess Metropolregion Ruhr"
MOTTO_EN = "Transformation process of the Ruhr metropolitan region"

DESCRIPTION_EN = """\
The **Smart City Days** are the innovation and digitalisation event of the City of Herne, Herne.Business and
ruhrvalley. {intro} Under the title **“Transformation process of the Ruhr metropolitan region”**, visitors and
speakers from Herne, the Ruhr area and all over Germany meet.

## Two venues, one programme

- **Conference** in the Mulvany Villa in Shamrock Park, Herne, Shamrockring 1
- **Programme for citizens** in the “Alte Druckerei” and the “Thinktank” of the Applied Excellence
  Department, Bebelstraße 20, in the heart of Herne: talks, presentations and **hands-on projects** – from the
  fibre roll-out to activating the electronic identity card

## What we are looking for

Practical **best-practice reports** on projects from cities, public administration and companies: what was
put into practice, what worked, what can other cities adopt? We especially welcome the **transfer from
research into concrete local use**, for example from the ruhrvalley deep-tech network.

The focus is on AI as an accelerator of transformation, data spaces, IT infrastructure and fibre roll-out,
smart city transformation through energy efficiency, transformation through smart mobility, and digital
administration.

Registration for the event is at www.smart-people-city.de; submit your proposal here.
"""

# key: (name, address, description_de, description_en)
VENUES = {
    "villa": ("Mulvany Villa", "Shamrock-Park Herne, Shamrockring 1, 44623 Herne",
              "Ort der Fachtagung für Kommunen, Wirtschaft und Wissenschaft.",
              "Venue of the conference for municipalities, business and research."),
    "druckerei": ("Alte Druckerei / Thinktank", "Bebelstraße 20, 44623 Herne",
                  "Programm für Bürger*innen in der Innenstadt, im Thinktank des Applied Excellence "
                  "Departments: "
                  "Vorträge, Präsentationen und Projekte zum Anfassen.",
                  "Programme for citizens in the town centre, in the Thinktank of the Applied Excellence "
                  "Department: talks, presentations and hands-on projects."),
}
TRAVEL_MINUTES = 15  # Shamrock-Park ↔ Innenstadt by bus or bike

# key: (name_de, name_en, minutes, venues, description_de, description_en)
FORMATS = {
    "talk20": ("Kurzer Praxisbericht", "Short best-practice report", 20, ["villa", "druckerei"],
               "Kurzer Bericht aus einem laufenden Projekt, mit Zeit für zwei, drei Fragen.",
               "A short report from an ongoing project, with time for two or three questions."),
    "talk30": ("Praxisvortrag", "Best-practice talk", 30, ["villa", "druckerei"],
               "Ausführlicher Projektbericht mit Ergebnissen und Diskussion.",
               "A detailed project report with results and discussion."),
    "panel": ("Podiumsdiskussion", "Panel discussion", 60, ["villa", "druckerei"],
              "Drei bis fünf Personen aus Kommune, Wirtschaft und Forschung im Gespräch, "
              "mit Publikumsfragen.",
              "Three to five people from municipalities, business and research in conversation, "
              "with questions from the audience."),
    "workshop": ("Workshop", "Workshop", 90, ["villa", "druckerei"],
                 "Gemeinsames Arbeiten an einer Fragestellung in kleiner Runde.",
                 "Working together on a question in a small group."),
    "handson": ("Projekt zum Anfassen", "Hands-on project", 480, ["druckerei"],
                "Ein Stand in der Ausstellungsfläche, an dem Besucher*innen ein Projekt ausprobieren – "
                "ganztägig.",
                "A stand in the exhibition area where visitors try out a project – all day."),
}

# (venue, name, capacity, formats, opens, closes) – open on every event day
ROOMS = [
    ("villa", "Festsaal", 180, ["talk20", "talk30", "panel"], time(9), time(18)),
    ("villa", "Kaminzimmer", 45, ["talk20", "talk30", "workshop"], time(9), time(18)),
    ("villa", "Seminarraum Shamrock", 30, ["workshop", "talk20"], time(9), time(17)),
    ("druckerei", "Druckhalle", 120, ["talk20", "talk30", "panel"], time(10), time(19)),
    ("druckerei", "Thinktank-Lab", 35, ["workshop", "talk20"], time(10), time(18)),
    ("druckerei", "Ausstellungsfläche", 150, ["handson"], time(9), time(19)),
]

# key: (name_de, name_en, colour, description_de, description_en) – colours keep ≥ 4.5:1 contrast against white
THEMES = {
    "ki": ("Künstliche Intelligenz", "Artificial intelligence", "#005A9C",
           "KI als Transformationsbeschleuniger: Anwendungen in Verwaltung, Unternehmen und "
           "Stadtgesellschaft.",
           "AI as an accelerator of transformation: uses in public administration, companies and urban "
           "society."),
    "data": ("Data Spaces", "Data spaces", "#6A3D9A",
             "Daten souverän teilen: urbane Datenplattformen, offene Daten und Datenräume für Kommunen.",
             "Sharing data with sovereignty: urban data platforms, open data and data spaces for "
             "municipalities."),
    "infra": ("IT-Infrastruktur & Glasfaserausbau", "IT infrastructure & fibre roll-out", "#00635D",
              "Glasfaser, Funknetze, Rechenzentren – das Fundament der digitalen Stadt.",
              "Fibre, wireless networks, data centres – the foundation of the digital city."),
    "energy": ("Smart City Transformation durch Energieeffizienz",
               "Smart city transformation through energy efficiency", "#1B7837",
               "Energie sparen mit Daten: Gebäude, Beleuchtung, Quartiere und Stadtklima.",
               "Saving energy with data: buildings, lighting, neighbourhoods and the urban climate."),
    "mobility": ("Transformation durch intelligente Mobilität", "Transformation through smart mobility",
                 "#9C4A00",
                 "Verkehr vernetzt steuern: ÖPNV, Parken, Rad und neue Mobilitätsangebote.",
                 "Connected traffic management: public transport, parking, cycling and new mobility services."),
    "admin": ("Digitale Verwaltung", "Digital administration", "#B2182B",
              "Online-Serviceportal, ePersonalausweis, OZG: Verwaltung, die online funktioniert.",
              "Online service portal, electronic identity card, Online Access Act (OZG): administration that "
              "works online."),
}

# key: (name_de, name_en)
AUDIENCES = {
    "kommunen": ("Kommunen", "Municipalities"),
    "buerger": ("Bürger*innen", "Citizens"),
    "schueler": ("Schüler*innen", "School students"),
    "unternehmer": ("Unternehmer*innen", "Entrepreneurs"),
    "startups": ("Start-ups", "Start-ups"),
    "wissenschaft": ("Wissenschaftler*innen", "Researchers"),
    "experten": ("Expert*innen (KI, Mobilität, digitale Verwaltung)",
                 "Experts (AI, mobility, digital administration)"),
}

# (name_de, name_en, weight, description_de, description_en); scale 1–5
CRITERIA = [
    ("Themenbezug", "Fit to the themes", 2, "Passt der Beitrag zu den Schwerpunkten der Smart City Days?",
     "Does the proposal fit the focus of the Smart City Days?"),
    ("Praxisrelevanz", "Practical relevance", 3,
     "Gibt es ein laufendes Projekt mit belastbaren Ergebnissen?",
     "Is there an ongoing project with solid results?"),
    ("Übertragbarkeit auf andere Städte", "Transferability to other cities", 3,
     "Können andere Kommunen das Vorgehen übernehmen?",
     "Can other municipalities adopt the approach?"),
    ("Innovationsgrad", "Innovation", 1, "Wie neu ist der Ansatz für die Region?",
     "How new is the approach for the region?"),
    ("Verständlichkeit für die Zielgruppe", "Clarity for the audience", 2,
     "Ist der Beitrag für das angegebene Publikum verständlich aufbereitet?",
     "Is the proposal presented clearly for the audience it names?"),
]

# -- organisations and people --------------------------------------------------------------------------

# key: (organisation, organisation_type, city, mail domain)
RUHRVALLEY = "ruhrvalley.example"
ORGS = {
    "herne": ("Stadt Herne", "city", "Herne", "herne.example"),
    "bochum": ("Stadt Bochum", "city", "Bochum", "bochum.example"),
    "gelsenkirchen": ("Stadt Gelsenkirchen", "city", "Gelsenkirchen", "gelsenkirchen.example"),
    "castrop": ("Stadt Castrop-Rauxel", "city", "Castrop-Rauxel", "castrop-rauxel.example"),
    "recklinghausen": ("Stadt Recklinghausen", "city", "Recklinghausen", "recklinghausen.example"),
    "kreis_re": ("Kreisverwaltung Recklinghausen", "administration", "Recklinghausen", "kreis-re.example"),
    "krz": ("Kommunales IT-Zentrum Emscher-Lippe", "administration", "Gelsenkirchen", "krz-el.example"),
    "glasfaser": ("Herner Glasfasernetz GmbH", "company", "Herne", "herner-glasfaser.example"),
    "energie": ("Energieservice Emscher GmbH", "company", "Herne", "energieservice-emscher.example"),
    "ruhrmobil": ("RuhrMobil Data GmbH", "company", "Bochum", "ruhrmobil-data.example"),
    "zeche": ("Zeche Digital GmbH", "company", "Recklinghausen", "zeche-digital.example"),
    "nordic": ("Nordlicht Smart Grid GmbH", "company", "Dortmund", "nordlicht-grid.example"),
    "parkpilot": ("parkpilot.ruhr UG", "startup", "Bochum", "parkpilot.example"),
    "sensorwerk": ("Sensorwerk Labs GmbH", "startup", "Herne", "sensorwerk.example"),
    "civicflow": ("CivicFlow GmbH", "startup", "Gelsenkirchen", "civicflow.example"),
    "kiwerk": ("KIwerk Ruhr UG", "startup", "Castrop-Rauxel", "kiwerk.example"),
    "rv_energy": ("ruhrvalley – Forschungsgruppe Energieinformatik", "research", "Bochum", RUHRVALLEY),
    "rv_mobility": ("ruhrvalley – Labor für Mobilitätsdaten", "research", "Gelsenkirchen", RUHRVALLEY),
    "rv_ai": ("ruhrvalley – Applied AI Lab", "research", "Bochum", RUHRVALLEY),
    "rv_sensor": ("ruhrvalley – Labor für vernetzte Sensorik", "research", "Recklinghausen", RUHRVALLEY),
    "werkstatt": ("Digitalwerkstatt Herne e. V.", "other", "Herne", "digitalwerkstatt-herne.example"),
    "opendata": ("Open Data Ruhr e. V.", "other", "Bochum", "open-data-ruhr.example"),
    # committee and reviewers
    "hernebusiness": ("Herne.Business", "administration", "Herne", "herne-business.example"),
    "agentur": ("Digitalagentur der Kommunen NRW", "administration", "Düsseldorf",
                "digitalagentur-nrw.example"),
    "beratung": ("Stadt & Daten Beratung GmbH", "company", "Essen", "stadt-und-daten.example"),
    "fius": ("Forschungsinstitut Urbane Systeme", "research", "Dortmund", "fius.example"),
    # the city's own spelling differs from its speakers' "Stadt Herne": the committee marks both as one
    "herne_verwaltung": ("Stadtverwaltung Herne", "city", "Herne", "herne.example"),
    "hsbo": ("Hochschule Bochum", "research", "Bochum", "hs-bochum.example"),
    "energieagentur": ("EnergieAgentur.NRW", "administration", "Düsseldorf", "energieagentur-nrw.example"),
}

# (name, org, language, job title)
COMMITTEE = ("Nicole Vortmann", "hernebusiness", "de", "Programmleitung Smart City Days")
REVIEWERS = [
    ("Dr. Ute Brandhorst", "rv_ai", "de", "Wissenschaftliche Koordinatorin"),
    ("Michael Terhorst", "agentur", "de", "Referent für kommunale Digitalisierung"),
    ("Sarah Lindemann", "beratung", "de", "Beraterin für Datenstrategien"),
    ("Dr. Tomasz Nowak", "fius", "en", "Senior researcher, urban informatics"),
    ("Andreas Kötter", "herne_verwaltung", "de", "Referent im Fachbereich Digitalisierung"),
    ("Prof. Dr. Leonie Hartmann", "hsbo", "de", "Professorin für Verkehrsplanung"),
    ("Markus Feldhaus", "energieagentur", "de", "Projektleiter Kommunaler Klimaschutz"),
]
# per reviewer (by name): expert themes, review languages, themes the committee limits them to (empty: all),
# how strict they score (added to every score), and the organisations whose proposals they declare a conflict with
REVIEWER_PROFILES = {
    "Dr. Ute Brandhorst": (["ki", "data"], ["de", "en"], [], 0.0, []),
    "Michael Terhorst": (["admin", "infra"], ["de"], [], -0.6, []),
    "Sarah Lindemann": (["data", "admin", "ki"], ["de", "en"], [], 0.4, ["gelsenkirchen"]),
    "Dr. Tomasz Nowak": (["energy", "mobility", "data"], ["en", "de"], [], -0.2, []),
    "Andreas Kötter": (["admin", "infra"], ["de"], [], 0.2, []),
    "Prof. Dr. Leonie Hartmann": (["mobility"], ["de", "en"], ["mobility", "data", "ki"], -0.3, []),
    "Markus Feldhaus": (["energy"], ["de"], ["energy", "infra", "mobility"], 0.1, []),
}
REVIEWER_LOAD = 40  # the committee raises the load cap: seven reviewers, three reviews per proposal
ALIAS = ("Stadt Herne", "Stadtverwaltung Herne")

# what reviewers write (by how good they found the proposal): for the committee, and for the speakers
REVIEW_COMMENTS = {
    "high": ["Sehr konkret, übertragbar und mit belastbaren Zahlen. Unbedingt ins Programm.",
             "Starkes Praxisbeispiel; die Erfahrungen aus dem Betrieb sind für viele Kommunen wertvoll.",
             "Clear, well-structured and transferable; exactly what the audience is looking for."],
    "mid": ["Solides Thema, aber die Ergebnisse bleiben noch vage. Passt, wenn Platz ist.",
            "Interessant, überschneidet sich aber mit zwei anderen Einreichungen zum selben Thema.",
            "Relevant topic; the abstract promises more than the description delivers."],
    "low": ["Wirkt eher wie eine Produktvorstellung; der Nutzen für Kommunen wird nicht klar.",
            "Zu wenig Bezug zum Motto, und Ergebnisse fehlen noch.",
            "Mostly a sales pitch; little that other cities could reuse."],
}
SPEAKER_COMMENTS = {
    "high": ["Gern mit einer Folie zu den Kosten und zum Personalaufwand.",
             "Please leave time for questions: many cities will want to copy this."],
    "mid": ["Bitte schärfen Sie, was andere Kommunen konkret übernehmen können.",
            "Ein oder zwei Zahlen zu den Ergebnissen würden den Beitrag stärken."],
    "low": ["Zeigen Sie stärker, was Kommunen aus dem Projekt lernen können, nicht nur das Produkt.",
            "Consider submitting again once the pilot has results."],
}
SPEAKERS = [
    ("Katrin Wewer", "herne", "de", "Leiterin des Fachbereichs Digitalisierung"),
    ("Jonas Petrikat", "herne", "de", "Verkehrsplaner im Fachbereich Tiefbau und Verkehr"),
    ("Melanie Oberkamp", "herne", "de", "Projektleiterin Online-Serviceportal"),
    ("Sven Lüdecke", "bochum", "de", "Leiter des Smart-City-Büros"),
    ("Aylin Demirci", "bochum", "de", "Klimaanpassungsmanagerin im Umweltamt"),
    ("Thorsten Brinkhoff", "gelsenkirchen", "de", "Referent Vernetzte Stadt"),
    ("Elena Wiśniewski", "gelsenkirchen", "de", "Mobilitätsmanagerin"),
    ("Dennis Hölscher", "castrop", "de", "Chief Digital Officer"),
    ("Birgit Sandmann", "recklinghausen", "de", "Leiterin E-Government"),
    ("Marco Tenhagen", "kreis_re", "de", "Koordinator Mobilstationen"),
    ("Sabine Kortmann", "krz", "de", "Bereichsleiterin Infrastruktur"),
    ("Frank Stüber", "glasfaser", "de", "Technischer Leiter"),
    ("Julia Pawlak", "energie", "de", "Teamleiterin Energiedienstleistungen"),
    ("Oliver Kampmann", "ruhrmobil", "de", "Geschäftsführer"),
    ("Nadine Brosowski", "zeche", "de", "Beraterin für Prozessautomatisierung"),
    ("Erik Lindqvist", "nordic", "en", "Head of Municipal Solutions"),
    ("Leonie Falkenberg", "parkpilot", "de", "Gründerin"),
    ("Tim Okonkwo", "sensorwerk", "de", "Mitgründer und Hardware-Entwickler"),
    ("Ana Ribeiro", "civicflow", "en", "Service designer and co-founder"),
    ("Mehmet Aksoy", "kiwerk", "de", "Gründer und KI-Entwickler"),
    ("Dr. Hannah Kessler", "rv_energy", "de", "Leiterin der Forschungsgruppe"),
    ("Prof. Dr. Lars Wienold", "rv_mobility", "de", "Professor für Verkehrsinformatik"),
    ("Dr. Priya Raman", "rv_ai", "en", "Postdoctoral researcher"),
    ("Matthias Grewe", "rv_sensor", "de", "Wissenschaftlicher Mitarbeiter"),
    ("Christine Ahlers", "werkstatt", "de", "Vorsitzende"),
    ("Kwame Mensah", "opendata", "en", "Community coordinator"),
]

# -- proposals -----------------------------------------------------------------------------------------
# Each: org (the owner is one of its speakers), format, main theme, audiences, stage, language, title,
# abstract, body (the description's opening), partners, results, transfer.

P = dict  # short constructor for the table below


PROPOSALS_2025 = [
    # Künstliche Intelligenz
    P(org="herne", fmt="talk30", theme="ki", aud=["kommunen", "experten"], stage="operation", lang="de",
      title="KI-Chatbot im Bürgerbüro: ein Jahr Erfahrung in Herne",
      abstract="Seit einem Jahr beantwortet ein KI-Assistent Fragen zu Meldewesen, Müllabfuhr und "
               "Parkausweisen. "
               "Wir zeigen, was gut lief, wo er scheitert und wie wir Datenschutz und Barrierefreiheit "
               "gelöst haben.",
      body="Der Assistent läuft auf kommunaler Infrastruktur und greift nur auf freigegebene Inhalte zu.",
      partners="Kommunales IT-Zentrum Emscher-Lippe", results="38 % weniger telefonische Standardanfragen.",
      transfer="Wissensbasis und Betriebskonzept stellen wir anderen Kommunen zur Verfügung."),
    P(org="rv_ai", fmt="talk30", theme="ki", aud=["wissenschaft", "experten", "kommunen"], stage="pilot",
      lang="en",
      title="Explainable AI for municipal traffic forecasts",
      abstract="Traffic planners do not trust black boxes. We built forecasts that show why they predict a "
               "jam, "
               "and tested them with two cities in the Ruhr area.",
      body="The talk covers the model, the explanation interface and what the planners actually used.",
      partners="Stadt Gelsenkirchen, Stadt Herne",
      results="Forecast error down 21 % compared with the old model.",
      transfer="Open-source code and a guide for cities with their own traffic counters."),
    P(org="kiwerk", fmt="workshop", theme="ki", aud=["kommunen", "experten"], stage="pilot", lang="de",
      title="Sprachmodelle datenschutzkonform in der Kommunalverwaltung einsetzen",
      abstract="Im Workshop prüfen wir gemeinsam typische Anwendungsfälle – Bescheide zusammenfassen, "
               "Anfragen "
               "vorsortieren, Texte in Leichte Sprache übertragen – gegen DSGVO und KI-Verordnung.",
      body="Teilnehmende bringen eigene Anwendungsfälle mit und gehen mit einer Checkliste nach Hause.",
      partners="Stadt Castrop-Rauxel", results="Pilot mit drei Fachbereichen in Castrop-Rauxel.",
      transfer="Checkliste und Musterdokumentation unter offener Lizenz."),
    P(org="zeche", fmt="talk20", theme="ki", aud=["unternehmer", "startups"], stage="operation", lang="de",
      title="KI im Mittelstand: erst Prozesse prüfen, dann automatisieren",
      abstract="Viele KI-Projekte scheitern an unklaren Abläufen. Anhand von fünf Betrieben aus dem Kreis "
               "Recklinghausen zeigen wir, wie eine Prozessanalyse den Einsatz von KI erst sinnvoll macht.",
      body="Mit Beispielen aus Handwerk, Logistik und Einzelhandel.",
      partners="IHK-Arbeitskreis Digitalisierung",
      results="Fünf umgesetzte Automatisierungen, zwei bewusst gestoppt.",
      transfer="Ein Leitfaden für Wirtschaftsförderungen, die Betriebe beraten."),
    P(org="bochum", fmt="talk30", theme="ki", aud=["kommunen", "experten"], stage="pilot", lang="de",
      title="Straßenschäden per Bildanalyse erkennen: Bochums Pilot mit Kamerafahrzeugen",
      abstract="Müllfahrzeuge fotografieren auf ihren Touren die Fahrbahn, eine KI markiert Schlaglöcher "
               "und Risse. "
               "Wir berichten über Genauigkeit, Datenschutz (Verpixelung) und die Einbindung in die "
               "Straßenunterhaltung.",
      body="Der Pilot lief über sechs Monate auf 400 Straßenkilometern.",
      partners="USB Bochum, ruhrvalley Applied AI Lab", results="1.900 erkannte Schäden, 87 % bestätigt.",
      transfer="Ausschreibungsunterlagen und Datenschutzkonzept zur Nachnutzung."),
    P(org="rv_energy", fmt="panel", theme="ki", aud=["kommunen", "wissenschaft", "unternehmer"], stage="idea",
      lang="de",
      title="KI als Transformationsbeschleuniger – was Forschung und Kommunen voneinander brauchen",
      abstract="Forschende, kommunale Digitalverantwortliche und Unternehmen diskutieren, warum gute "
               "Prototypen "
               "so selten in den Regelbetrieb kommen und was sich am Transfer ändern muss.",
      body="Mit Stimmen aus Stadtverwaltung, Start-up und Hochschule.",
      partners="Stadt Herne, KIwerk Ruhr",
      results="Offene Diskussion, Ergebnisse fließen in ein Positionspapier.",
      transfer="Das Positionspapier geht an alle Städte des ruhrvalley-Netzwerks."),
    P(org="werkstatt", fmt="handson", theme="ki", aud=["schueler", "buerger"], stage="operation", lang="de",
      title="KI zum Ausprobieren: trainiere dein eigenes Bilderkennungsmodell",
      abstract="An unserem Stand trainieren Schüler*innen und Bürger*innen in zehn Minuten ein Modell, das "
               "Gesten erkennt – und lernen dabei, warum KI Fehler macht.",
      body="Geeignet ab 10 Jahren, keine Vorkenntnisse nötig.",
      partners="Herner Schulen, Stadtbibliothek Herne",
      results="Über 600 Besucher*innen bei den letzten Aktionstagen.",
      transfer="Das Material ist für Schulen und Bibliotheken frei verfügbar."),
    # Data Spaces
    P(org="gelsenkirchen", fmt="talk30", theme="data", aud=["kommunen", "experten"], stage="scaled",
      lang="de",
      title="Urbane Datenplattform Gelsenkirchen: vom Sensor zur offenen Schnittstelle",
      abstract="Wie Gelsenkirchen Daten aus Verkehr, Umwelt und Verwaltung auf einer Plattform bündelt und "
               "über "
               "offene Schnittstellen für Bürger*innen, Unternehmen und Forschung bereitstellt.",
      body="Wir zeigen Architektur, Betriebsmodell und die Anwendungen, die inzwischen darauf laufen.",
      partners="Kommunales IT-Zentrum Emscher-Lippe",
      results="42 Datensätze live, 9 Anwendungen von Dritten.",
      transfer="Die Plattform basiert auf Open-Source-Komponenten und wird bereits von zwei Nachbarstädten "
               "genutzt."),
    P(org="opendata", fmt="talk20", theme="data", aud=["kommunen", "buerger", "startups"], stage="operation",
      lang="en", title="Open Data Ruhr: one portal for five cities",
      abstract="Five cities, five data catalogues, one search. How a volunteer network and city staff built "
               "a "
               "shared open-data portal – and what keeps it alive.",
      body="A practical report on metadata standards, licensing and community work.",
      partners="Stadt Bochum, Stadt Herne, Stadt Gelsenkirchen",
      results="1,200 datasets, 3,000 monthly users.",
      transfer="Any city can join by publishing DCAT-AP.de metadata."),
    P(org="krz", fmt="talk30", theme="data", aud=["kommunen", "experten"], stage="pilot", lang="de",
      title="Ein regionaler Datenraum für die Kommunen im Emscher-Lippe-Raum",
      abstract="Daten teilen, ohne sie aus der Hand zu geben: Wir berichten vom Aufbau eines Datenraums, in "
               "dem "
               "Städte Verkehrs-, Umwelt- und Geodaten nach gemeinsamen Regeln austauschen.",
      body="Mit einem ehrlichen Blick auf Governance, Verträge und Kosten.",
      partners="Städte Gelsenkirchen, Herne, Recklinghausen", results="Vier Städte im Pilotbetrieb.",
      transfer="Mustervertrag und Governance-Modell für weitere Verbünde."),
    P(org="rv_mobility", fmt="workshop", theme="data", aud=["wissenschaft", "experten", "unternehmer"],
      stage="idea", lang="de",
      title="Mobilitätsdaten teilen, ohne die Kontrolle abzugeben",
      abstract="Wie funktionieren Datenräume nach Gaia-X-Prinzipien in der Praxis? Im Workshop modellieren "
               "wir "
               "einen Datenaustausch zwischen Stadt, Verkehrsbetrieb und Sharing-Anbieter.",
      body="Wir arbeiten mit Karten, Rollenspielen und einem kleinen technischen Demonstrator.",
      partners="RuhrMobil Data GmbH", results="Demonstrator aus einem Forschungsprojekt.",
      transfer="Workshop-Material zur Nachnutzung in Verwaltungen."),
    P(org="ruhrmobil", fmt="talk20", theme="data", aud=["kommunen", "unternehmer"], stage="operation",
      lang="de",
      title="Echtzeitdaten für Parkraum: ein Datenraum zwischen Stadt und Betreibern",
      abstract="Parkhausbetreiber, Stadt und App-Anbieter teilen Belegungsdaten in Echtzeit. Wir zeigen, "
               "welche "
               "Vereinbarungen nötig waren und was Autofahrende davon haben.",
      body="Mit Zahlen zum Parksuchverkehr vor und nach dem Start.",
      partners="Stadt Bochum, parkpilot.ruhr", results="Parksuchverkehr in der Innenstadt um 12 % gesenkt.",
      transfer="Schnittstelle nach DATEX II, von jeder Stadt nutzbar."),
    P(org="recklinghausen", fmt="talk20", theme="data", aud=["kommunen"], stage="scaled", lang="de",
      title="Geodaten als Rückgrat der Smart City – Erfahrungen aus Recklinghausen",
      abstract="Ohne saubere Geodaten keine Smart City. Wir zeigen, wie Recklinghausen seine "
               "Geodateninfrastruktur "
               "modernisiert hat und welche Fachverfahren heute darauf aufbauen.",
      body="Ein Bericht aus zehn Jahren Geodatenarbeit – mit allen Umwegen.",
      partners="Kreis Recklinghausen", results="Ein 3D-Stadtmodell, 30 Fachanwendungen.",
      transfer="Vorgehensmodell für mittelgroße Städte."),
    P(org="herne", fmt="panel", theme="data", aud=["kommunen", "buerger", "experten"], stage="idea",
      lang="de",
      title="Wem gehören die Daten der Stadt? Ein Podium zur Datensouveränität",
      abstract="Kommunen, Unternehmen und Zivilgesellschaft diskutieren, wer über städtische Daten "
               "bestimmen soll "
               "und wie Bürger*innen davon profitieren.",
      body="Mit Publikumsfragen und einer Abstimmung per Handy.",
      partners="Open Data Ruhr e. V., Herne.Business", results="Auftakt für eine Herner Datenstrategie.",
      transfer="Die Ergebnisse fließen in ein Eckpunktepapier für die Region."),
    # IT-Infrastruktur & Glasfaserausbau
    P(org="glasfaser", fmt="talk30", theme="infra", aud=["kommunen", "unternehmer"], stage="operation",
      lang="de",
      title="Glasfaserausbau in Herne: Zwischenbilanz nach 20.000 Anschlüssen",
      abstract="Was hat beim eigenwirtschaftlichen Ausbau funktioniert, wo hakte es? Wir berichten über "
               "Trenching, Genehmigungen und die Zusammenarbeit mit der Stadt.",
      body="Mit Karten zum Ausbaustand und den Lehren für die letzten Straßenzüge.",
      partners="Stadt Herne", results="20.000 Haushalte angeschlossen, Genehmigungszeit halbiert.",
      transfer="Die Kooperationsvereinbarung mit der Stadt ist ein Muster für andere Kommunen."),
    P(org="castrop", fmt="talk20", theme="infra", aud=["kommunen", "schueler"], stage="scaled", lang="de",
      title="Glasfaser an jede Schule: wie Castrop-Rauxel den Digitalpakt umgesetzt hat",
      abstract="Alle 24 Schulen sind angeschlossen, WLAN in jedem Klassenraum. Ein Bericht über Planung, "
               "Vergabe und den Support danach.",
      body="Mit Stimmen aus zwei Schulen.",
      partners="Schulträger, Medienzentrum Kreis Recklinghausen", results="24 Schulen, 900 Access Points.",
      transfer="Leistungsverzeichnisse und Supportkonzept zum Nachnutzen."),
    P(org="sensorwerk", fmt="handson", theme="infra", aud=["buerger", "schueler", "startups"], stage="pilot",
      lang="de", title="LoRaWAN für alle: ein offenes Funknetz für Sensoren in der Innenstadt",
      abstract="Am Stand bauen Besucher*innen einen kleinen Sensor, der Temperatur und Luftfeuchte ins "
               "offene "
               "LoRaWAN der Herner Innenstadt funkt – und sehen ihre Messwerte live auf der Karte.",
      body="Lötstation, fertige Bausätze und eine Live-Karte.",
      partners="Digitalwerkstatt Herne e. V.", results="14 Gateways, 300 Sensoren von Bürger*innen.",
      transfer="Bauanleitung und Gateway-Konfiguration sind offen dokumentiert."),
    P(org="krz", fmt="talk30", theme="infra", aud=["kommunen", "experten"], stage="operation", lang="de",
      title="Kommunale IT zwischen Cloud und Souveränität",
      abstract="Welche Fachverfahren gehören in die Cloud, welche ins eigene Rechenzentrum? Wir stellen "
               "unser "
               "Entscheidungsmodell und die Erfahrungen aus drei Migrationen vor.",
      body="Mit Kostenvergleich und den Anforderungen aus dem IT-Grundschutz.",
      partners="Städte Gelsenkirchen und Herne", results="Drei Verfahren migriert, Betriebskosten −15 %.",
      transfer="Das Entscheidungsmodell ist für jede Kommune anwendbar."),
    P(org="glasfaser", fmt="handson", theme="infra", aud=["buerger"], stage="operation", lang="de",
      title="Wie kommt die Glasfaser ins Haus? Der Ausbau zum Anfassen",
      abstract="Vom Tiefbau bis zur Anschlussdose: An unserem Stand zeigen wir Leerrohre, Spleißgerät und "
               "Hausübergabepunkt und beantworten Fragen zum Anschluss.",
      body="Mit Adressabfrage: Wann kommt die Glasfaser in meine Straße?",
      partners="Stadt Herne", results="Infostand bei drei Stadtteilfesten erprobt.",
      transfer="Das Standkonzept eignet sich für jede Ausbaukommune."),
    P(org="rv_sensor", fmt="talk20", theme="infra", aud=["wissenschaft", "unternehmer"], stage="pilot",
      lang="de",
      title="5G-Campusnetz im Gewerbegebiet: Messergebnisse aus dem Testfeld",
      abstract="Ein Jahr Messungen in einem 5G-Campusnetz: Latenzen, Abdeckung und was Betriebe damit "
               "machen.",
      body="Mit Anwendungsbeispielen aus Logistik und Produktion.",
      partners="Zeche Digital GmbH, zwei Logistikbetriebe", results="Latenz unter 10 ms auf 95 % der Fläche.",
      transfer="Messmethodik und Daten sind veröffentlicht."),
    # Energieeffizienz
    P(org="energie", fmt="talk30", theme="energy", aud=["kommunen", "unternehmer"], stage="operation",
      lang="de",
      title="Digitale Zwillinge kommunaler Gebäude: 18 % weniger Heizenergie",
      abstract="Für 40 Schulen und Verwaltungsgebäude haben wir digitale Zwillinge aufgebaut, die Heizkurven "
               "optimieren und Fehler erkennen. Wir zeigen Ergebnisse aus zwei Heizperioden.",
      body="Mit Einblicken in Sensorik, Datenmodell und die Arbeit mit dem Gebäudemanagement.",
      partners="Stadt Herne, ruhrvalley Energieinformatik",
      results="18 % weniger Heizenergie, 1.100 t CO₂ pro Jahr.",
      transfer="Das Verfahren ist auf Bestandsgebäude ohne Gebäudeleittechnik übertragbar."),
    P(org="bochum", fmt="talk20", theme="energy", aud=["kommunen", "buerger"], stage="operation", lang="de",
      title="Hitze in der Stadt messen: Bochums Stadtklima-Messnetz",
      abstract="80 Sensoren messen Temperatur und Feuchte in Bochumer Quartieren. Die Daten steuern den "
               "Hitzeaktionsplan und zeigen, wo Bäume und Trinkbrunnen am meisten bringen.",
      body="Mit Beispielen, wie Bürger*innen die Daten nutzen.",
      partners="ruhrvalley Labor für vernetzte Sensorik", results="80 Messstationen, öffentliches Dashboard.",
      transfer="Sensorik und Dashboard sind Open Source."),
    P(org="rv_energy", fmt="talk30", theme="energy", aud=["wissenschaft", "kommunen", "unternehmer"],
      stage="pilot", lang="de",
      title="Energieinformatik im Quartier: Lastmanagement für Wärmepumpen und Ladepunkte",
      abstract="Wenn alle gleichzeitig laden und heizen, wird es eng im Netz. Wir zeigen ein Lastmanagement, "
               "das im Herner Pilotquartier Spitzen um ein Drittel senkt.",
      body="Vom Algorithmus bis zur Akzeptanz bei den Bewohner*innen.",
      partners="Energieservice Emscher GmbH, Wohnungsgenossenschaft",
      results="Lastspitzen −33 % im Pilotquartier.",
      transfer="Übertragbar auf Quartiere mit gemeinsamer Netzanschlussstelle."),
    P(org="nordic", fmt="talk20", theme="energy", aud=["kommunen", "experten"], stage="scaled", lang="en",
      title="Smart street lighting: lessons from 12,000 LED lamps",
      abstract="Dimming by traffic, fault detection and a sensor platform on every pole: what three cities "
               "learned from replacing their street lighting.",
      body="Including the procurement pitfalls we would avoid next time.",
      partners="Three municipalities in NRW", results="62 % less electricity for street lighting.",
      transfer="Procurement templates available in German and English."),
    P(org="herne", fmt="talk20", theme="energy", aud=["kommunen", "schueler"], stage="pilot", lang="de",
      title="Energiemonitoring in 60 Schulen: ein Dashboard für Hausmeister*innen",
      abstract="Verbrauchsdaten nützen nur, wenn sie jemand liest. Wir haben das Dashboard gemeinsam mit "
               "Hausmeister*innen gestaltet – und Schüler*innen als Energiedetektive eingebunden.",
      body="Ein Bericht über Gestaltung, Schulung und erste Einsparungen.",
      partners="Energieservice Emscher GmbH", results="7 % weniger Strom im ersten Jahr.",
      transfer="Dashboard-Vorlagen und Schulungsmaterial zur Nachnutzung."),
    P(org="energie", fmt="handson", theme="energy", aud=["buerger", "schueler"], stage="operation", lang="de",
      title="Energie sichtbar machen: Smart Meter zum Anfassen",
      abstract="Wie viel Strom braucht ein Wasserkocher? An unserem Stand messen Besucher*innen Geräte "
               "selbst "
               "und erfahren, was ein Smart Meter im Haushalt bringt.",
      body="Mit Messgeräten zum Ausleihen für zu Hause.",
      partners="Verbraucherzentrale", results="Ausleihprogramm mit 150 Messgeräten.",
      transfer="Das Ausleihprogramm lässt sich mit jeder Stadtbibliothek umsetzen."),
    # Intelligente Mobilität
    P(org="parkpilot", fmt="talk20", theme="mobility", aud=["startups", "kommunen"], stage="pilot", lang="de",
      title="Parkpilot: freie Parkplätze per Sensor und App finden",
      abstract="Bodensensoren melden freie Stellplätze, die App führt direkt dorthin. Wir berichten vom Weg "
               "vom Prototyp zum Pilot in zwei Städten – inklusive der Fehler unterwegs.",
      body="Mit Live-Demo der App.", partners="Stadt Bochum, RuhrMobil Data GmbH",
      results="Suchzeit im Pilotgebiet von 9 auf 4 Minuten.",
      transfer="Sensoren und API funktionieren in jeder Innenstadt."),
    P(org="herne", fmt="talk30", theme="mobility", aud=["kommunen", "experten"], stage="operation", lang="de",
      title="Intelligente Ampeln am Westring: Busbeschleunigung in Herne",
      abstract="Busse melden sich an der Ampel an und bekommen Grün. Wir zeigen Technik, Verkehrsdaten und "
               "die Abstimmung mit dem Verkehrsbetrieb.",
      body="Mit Vorher-nachher-Messungen auf drei Linien.",
      partners="Verkehrsbetrieb, ruhrvalley Labor für Mobilitätsdaten", results="Fahrzeit der Linien −11 %.",
      transfer="Standardisierte Schnittstelle nach VDV, übertragbar auf andere Knoten."),
    P(org="rv_mobility", fmt="workshop", theme="mobility", aud=["wissenschaft", "kommunen"], stage="pilot",
      lang="de", title="Was Zählstellen verraten: Mobilitätsdaten für die Verkehrswende nutzen",
      abstract="Rad-, Fuß- und Kfz-Zählstellen liefern viele Daten, die selten ausgewertet werden. Im "
               "Workshop "
               "werten wir echte Daten aus und übersetzen sie in Maßnahmen.",
      body="Bitte Laptop mitbringen; Vorkenntnisse in Tabellenkalkulation genügen.",
      partners="Städte Herne und Gelsenkirchen", results="Auswertungsskripte aus einem Forschungsprojekt.",
      transfer="Skripte und Datensätze sind offen verfügbar."),
    P(org="gelsenkirchen", fmt="talk30", theme="mobility", aud=["kommunen", "buerger"], stage="operation",
      lang="de", title="On-Demand-Shuttle im Stadtteil: Bilanz nach zwei Jahren",
      abstract="Ein Kleinbus fährt auf Bestellung, ohne Fahrplan. Wer nutzt ihn, was kostet er, und wie "
               "geht es "
               "nach der Förderphase weiter?",
      body="Mit Nutzungsdaten und Stimmen von Fahrgästen.",
      partners="Verkehrsbetrieb, ruhrvalley Labor für Mobilitätsdaten", results="48.000 Fahrten, 4,6 Sterne.",
      transfer="Betriebskonzept für Stadtteile mit schwacher ÖPNV-Anbindung."),
    P(org="kreis_re", fmt="talk20", theme="mobility", aud=["kommunen", "buerger"], stage="scaled", lang="de",
      title="Mobilstationen im Kreis: Rad, Bus und Carsharing aus einer Hand",
      abstract="30 Mobilstationen in zehn Städten, eine App, ein Tarif. Wie der Kreis Recklinghausen die "
               "Abstimmung zwischen den Kommunen organisiert hat.",
      body="Mit Karte und Nutzungszahlen.", partners="Zehn kreisangehörige Städte",
      results="30 Stationen, 11.000 Ausleihen pro Monat.",
      transfer="Gestaltungshandbuch und Kooperationsvertrag zum Nachnutzen."),
    P(org="ruhrmobil", fmt="panel", theme="mobility", aud=["kommunen", "startups", "unternehmer"],
      stage="idea",
      lang="de", title="Verkehrswende im Revier: Kommunen, Verkehrsbetriebe und Start-ups im Gespräch",
      abstract="Wie kommen neue Mobilitätsangebote aus dem Pilot in den Alltag? Ein Podium über Förderlogik, "
               "Vergaberecht und Kooperation.",
      body="Mit Vertreter*innen aus Bochum, Gelsenkirchen und zwei Start-ups.",
      partners="parkpilot.ruhr, Stadt Gelsenkirchen", results="Diskussion, keine Projektergebnisse.",
      transfer="Empfehlungen für Förderprogramme des Landes."),
    P(org="civicflow", fmt="talk20", theme="mobility", aud=["kommunen", "buerger"], stage="pilot", lang="en",
      title="Asking citizens before building the bike lane",
      abstract="A lightweight app collects feedback on planned mobility projects on the spot. We show how "
               "Gelsenkirchen used it and how the feedback changed two plans.",
      body="Including what we did to reach people who never answer surveys.",
      partners="Stadt Gelsenkirchen", results="2,300 responses in six weeks.",
      transfer="The app is open source and available in German and English."),
    # Digitale Verwaltung
    P(org="herne", fmt="talk30", theme="admin", aud=["kommunen", "buerger"], stage="scaled", lang="de",
      title="Das Online-Serviceportal der Stadt Herne: 120 Leistungen digital",
      abstract="Vom Anwohnerparkausweis bis zur Hundesteuer: Wie Herne 120 Verwaltungsleistungen online "
               "anbietet und was das für die Arbeit in den Fachbereichen verändert hat.",
      body="Mit Nutzungszahlen und den Leistungen, die noch fehlen.",
      partners="Kommunales IT-Zentrum Emscher-Lippe",
      results="120 Leistungen, 45.000 Online-Anträge pro Jahr.",
      transfer="Formulare im gemeinsamen Baukasten, von anderen Städten nachnutzbar."),
    P(org="herne", fmt="handson", theme="admin", aud=["buerger"], stage="operation", lang="de",
      title="ePersonalausweis freischalten – Hilfe am Infostand",
      abstract="Wir schalten die Online-Ausweisfunktion gemeinsam frei, richten die App ein und zeigen, "
               "welche "
               "Leistungen des Serviceportals Sie damit von zu Hause erledigen können.",
      body="Bitte Ausweis und PIN-Brief mitbringen.", partners="Bürgerbüro Herne",
      results="Infostand bei den Smart City Days 2023: 350 Freischaltungen.",
      transfer="Ein Standkonzept für jedes Bürgerbüro."),
    P(org="recklinghausen", fmt="talk30", theme="admin", aud=["kommunen", "experten"], stage="operation",
      lang="de", title="OZG im Verbund: eine Plattform, fünf Städte",
      abstract="Fünf Städte teilen sich Formulare, Prozesse und einen Betriebsdienstleister. Wir zeigen, "
               "wie die "
               "Zusammenarbeit organisiert ist und wo Abstimmung teuer wurde.",
      body="Mit Aufwand und Nutzen in Zahlen.", partners="Kreis Recklinghausen, vier Nachbarstädte",
      results="85 gemeinsame Leistungen, Kosten je Leistung −40 %.",
      transfer="Kooperationsvereinbarung als Vorlage."),
    P(org="castrop", fmt="talk20", theme="admin", aud=["kommunen", "unternehmer"], stage="pilot", lang="de",
      title="Die digitale Bauakte: vom Antrag bis zum Bescheid ohne Papier",
      abstract="Bauanträge kommen digital, werden digital beteiligt und digital beschieden. Ein "
               "Werkstattbericht "
               "aus der Bauaufsicht Castrop-Rauxel.",
      body="Mit Blick auf Architekt*innen und Fachbehörden.", partners="Kreis Recklinghausen",
      results="Bearbeitungszeit im Mittel −5 Wochen.", transfer="Übertragbar auf alle Bauaufsichten in NRW."),
    P(org="civicflow", fmt="workshop", theme="admin", aud=["kommunen", "startups"], stage="pilot", lang="en",
      title="Designing public e-services with citizens: a co-creation workshop",
      abstract="Bring a service your city wants to put online. In 90 minutes we map the citizen journey, "
               "find the pain points and sketch a better form.",
      body="Hands-on, with paper prototypes; German and English spoken.",
      partners="Stadt Gelsenkirchen", results="Method used in eight service redesigns.",
      transfer="Workshop kit under an open licence."),
    P(org="zeche", fmt="workshop", theme="admin", aud=["kommunen", "experten"], stage="pilot", lang="de",
      title="Low-Code in der Verwaltung: Fachverfahren selbst bauen?",
      abstract="Low-Code verspricht schnelle Lösungen ohne Programmierung. Im Workshop bauen wir eine kleine "
               "Anwendung und diskutieren Betrieb, Sicherheit und Schatten-IT.",
      body="Eigene Laptops sind hilfreich, aber nicht nötig.", partners="Stadt Recklinghausen",
      results="Drei Anwendungen im Pilotbetrieb.", transfer="Leitfaden für Low-Code-Governance."),
    P(org="werkstatt", fmt="panel", theme="admin", aud=["buerger", "kommunen"], stage="idea", lang="de",
      title="Digitale Verwaltung – was Bürger*innen wirklich brauchen",
      abstract="Bürger*innen, Verwaltung und Ehrenamt im Gespräch: Welche Online-Dienste helfen, wer bleibt "
               "außen vor, und wie kann Unterstützung vor Ort aussehen?",
      body="Mit Erfahrungen aus der Digitalsprechstunde der Digitalwerkstatt.",
      partners="Stadt Herne, Seniorenbeirat", results="Digitalsprechstunde mit 40 Terminen pro Monat.",
      transfer="Das Sprechstundenkonzept ist in jeder Stadt umsetzbar."),
]

# The open edition: a few early proposals (drafts or submitted).
PROPOSALS_2027 = [
    P(org="herne", fmt="talk30", theme="ki", aud=["kommunen", "experten"], stage="operation", lang="de",
      title="Kommunale KI-Assistenz: Erfahrungen aus dem ersten Produktivjahr",
      abstract="Aus dem Chatbot wurde ein Assistent für die Sachbearbeitung. Was er heute leistet und wie "
               "wir "
               "Qualität und Datenschutz im Betrieb sichern.",
      body="Fortsetzung unseres Berichts von 2025.", partners="Kommunales IT-Zentrum Emscher-Lippe",
      results="Zwölf Fachbereiche nutzen den Assistenten.", transfer="Betriebshandbuch zur Nachnutzung."),
    P(org="rv_energy", fmt="talk30", theme="energy", aud=["kommunen", "wissenschaft"], stage="pilot",
      lang="de",
      title="Kommunale Wärmeplanung mit offenen Daten",
      abstract="Wie Städte ihre Wärmeplanung mit offenen Geodaten, Verbrauchsdaten und Simulation "
               "beschleunigen "
               "– am Beispiel von drei Ruhrgebietsstädten.",
      body="Mit Werkzeugen, die wir als Open Source veröffentlichen.",
      partners="Städte Herne, Bochum, Castrop-Rauxel",
      results="Wärmepläne für drei Städte im Entwurf.", transfer="Werkzeugkette für jede Kommune."),
    P(org="ruhrmobil", fmt="talk20", theme="mobility", aud=["kommunen", "unternehmer"], stage="pilot",
      lang="de",
      title="Autonome Shuttles im Linienbetrieb: das Testfeld Ruhr",
      abstract="Zwei autonome Kleinbusse fahren im regulären Fahrplan. Erste Ergebnisse zu Technik, "
               "Akzeptanz und "
               "Kosten.", body="Mit Videos aus dem Betrieb.", partners="Verkehrsbetrieb, ruhrvalley",
      results="Erste 5.000 Fahrgäste.", transfer="Genehmigungsweg als Leitfaden."),
    P(org="recklinghausen", fmt="workshop", theme="admin", aud=["kommunen", "experten"], stage="idea",
      lang="de",
      title="Digitale Identität in der Kommune: die EUDI-Wallet praktisch",
      abstract="Die europäische Identitäts-Wallet kommt. Im Workshop spielen wir durch, welche "
               "Verwaltungsleistungen "
               "sich damit verändern und was Kommunen vorbereiten sollten.",
      body="Für Digitalisierungs- und Bürgerbüro-Verantwortliche.", partners="Kreis Recklinghausen",
      results="Konzeptphase.", transfer="Checkliste zur Vorbereitung."),
]

# The closing part of each description: how the session runs, per format and language.
AGENDA = {
    "talk20": {"de": "15 Minuten Bericht, 5 Minuten Fragen.",
               "en": "15 minutes of talk, 5 minutes of questions."},
    "talk30": {"de": "20 Minuten Bericht, 10 Minuten Diskussion.",
               "en": "20 minutes of talk, 10 minutes of discussion."},
    "panel": {"de": "Kurze Impulse der Gäste, moderiertes Gespräch, offene Fragerunde mit dem Publikum.",
              "en": "Short statements, a moderated conversation, questions from the audience."},
    "workshop": {"de": "Einführung (15 Min.), Arbeit in Kleingruppen (50 Min.), "
                       "Ergebnisse und Ausblick (25 Min.).",
                 "en": "Introduction (15 min), group work (50 min), results and next steps (25 min)."},
    "handson": {"de": "Ganztägiger Stand; Besucher*innen kommen jederzeit vorbei und probieren selbst aus.",
                "en": "An all-day stand; visitors drop by at any time and try it themselves."},
}

# -- more sessions of the 2025 programme: confirmed best-practice reports, so that the programme fills both venues
# (org, format, theme, audiences, language, title, abstract); the description, partners, results and transfer
# follow from these (see demo.extra_entry)
PROGRAMME_2025 = [
    ("herne", "talk20", "admin", ["kommunen", "buerger"], "de",
     "Termine online buchen: das Bürgerbüro ohne Wartemarke",
     "Seit dem Frühjahr vergibt Herne alle Termine im Bürgerbüro online. Was sich für Personal und Kundschaft "
     "änderte."),
    ("herne", "talk30", "mobility", ["kommunen", "experten"], "de",
     "Ampeln, die mitdenken: adaptive Signalsteuerung in Herne-Mitte",
     "Zwölf Kreuzungen schalten nach dem Verkehrsaufkommen. Wir zeigen Messwerte vor und nach der Umstellung."),
    ("herne", "workshop", "admin", ["kommunen"], "de", "Formulare entrümpeln: ein Workshop für Fachämter",
     "Gemeinsam bauen wir ein echtes Antragsformular so um, dass es online in fünf Minuten ausgefüllt ist."),
    ("bochum", "talk30", "data", ["kommunen", "wissenschaft"], "de", "Das Bochumer Datenportal nach drei Jahren",
     "Welche Datensätze genutzt werden, welche niemand will, und wie die Verwaltung Daten freiwillig teilt."),
    ("bochum", "talk20", "energy", ["kommunen", "buerger"], "de", "Hitzeaktionsplan mit Sensoren: kühle Orte finden",
     "Fünfzig Temperatursensoren zeigen, wo es im Sommer unerträglich wird, und wohin Bürger*innen ausweichen können."),
    ("bochum", "panel", "mobility", ["kommunen", "buerger", "experten"], "de", "Die Innenstadt ohne Durchgangsverkehr?",
     "Verwaltung, Handel und Initiativen streiten über das Verkehrskonzept der Bochumer Innenstadt."),
    ("gelsenkirchen", "talk30", "infra", ["kommunen", "unternehmer"], "de",
     "Glasfaser für jede Schule in Gelsenkirchen",
     "Alle 87 Schulen sind angeschlossen. Bericht über Ausschreibung, Bauzeit und den Betrieb der Netze."),
    ("gelsenkirchen", "talk20", "ki", ["kommunen", "experten"], "de",
     "KI sortiert die Post: Posteingang in der Stadtverwaltung",
     "Ein Sprachmodell ordnet eingehende Schreiben dem richtigen Fachbereich zu – mit Datenschutz und Kontrolle."),
    ("gelsenkirchen", "workshop", "data", ["kommunen", "wissenschaft"], "de",
     "Vom Sensor zur Entscheidung: Datenräume planen",
     "Wir skizzieren gemeinsam, welche Daten eine Kommune für eine Entscheidung braucht und wie sie sie teilt."),
    ("castrop", "talk20", "admin", ["kommunen"], "de", "Die E-Akte in einer kleinen Stadt",
     "Castrop-Rauxel führt die elektronische Akte ein – mit wenig Personal und viel Pragmatismus."),
    ("castrop", "talk30", "infra", ["kommunen", "unternehmer"], "de",
     "WLAN in der Altstadt: Freifunk trifft Stadtmarketing",
     "Wie ein Verein und die Stadt ein offenes Netz für die Innenstadt bauten und wer es nutzt."),
    ("recklinghausen", "talk20", "energy", ["kommunen"], "de", "Straßenbeleuchtung nach Bedarf",
     "Die Leuchten dimmen, wenn niemand unterwegs ist. Ein Jahr Erfahrung mit Kosten, Sicherheit und Beschwerden."),
    ("recklinghausen", "talk30", "admin", ["kommunen", "buerger"], "de", "Der Bürgerservice im Chat",
     "Recklinghausen beantwortet Fragen per Messenger. Was Bürger*innen fragen und wie die Antworten entstehen."),
    ("kreis_re", "talk30", "mobility", ["kommunen", "buerger"], "de", "Rufbus im ländlichen Raum: On-Demand im Kreis",
     "Der Kreis ersetzt leere Linienbusse durch Rufbusse per App. Fahrgastzahlen, Kosten und Lehren."),
    ("kreis_re", "talk20", "data", ["kommunen"], "de", "Gemeinsame Daten für zehn Kommunen",
     "Zehn Städte teilen eine Datenplattform – wer zahlt, wer entscheidet, wer pflegt?"),
    ("krz", "talk30", "infra", ["kommunen", "experten"], "de", "Rechenzentrum für Kommunen: souverän und grün",
     "Das kommunale IT-Zentrum betreibt Fachverfahren für 40 Kommunen. Ein Blick auf Abwärme und Ausfallsicherheit."),
    ("krz", "workshop", "admin", ["kommunen", "experten"], "de", "OZG-Leistungen nachnutzen statt neu bauen",
     "Wir prüfen gemeinsam, welche fertigen Online-Leistungen sich in die eigene Kommune übernehmen lassen."),
    ("glasfaser", "talk20", "infra", ["unternehmer", "kommunen"], "de",
     "Glasfaser im Gewerbegebiet: Anschluss in 30 Tagen",
     "Vom Auftrag bis zum Anschluss: wie wir die Bauzeit für Gewerbebetriebe verkürzt haben."),
    ("glasfaser", "handson", "infra", ["buerger", "schueler"], "de",
     "Glasfaser zum Anfassen: vom Hausanschluss bis zum Router",
     "Am Stand spleißen Besucher*innen selbst eine Faser und sehen, was im Hausanschluss steckt."),
    ("energie", "talk30", "energy", ["kommunen", "unternehmer"], "de",
     "Wärmeplanung mit Daten: der kommunale Wärmeplan",
     "Wie Gebäudedaten, Netze und Potenziale in einen Wärmeplan fließen – am Beispiel zweier Quartiere."),
    ("energie", "handson", "energy", ["buerger", "schueler"], "de", "Der Energiespiegel: Verbrauch sichtbar machen",
     "Ein Bildschirm zeigt, wie viel Strom ein Haushalt wofür braucht – zum Ausprobieren mit eigenen Geräten."),
    ("ruhrmobil", "talk30", "mobility", ["kommunen", "unternehmer"], "de",
     "Verkehrsdaten in Echtzeit für die Leitstelle",
     "Wie Sensoren, Busse und Navigationsdaten zu einem Lagebild für die Verkehrsleitstelle werden."),
    ("zeche", "talk20", "ki", ["unternehmer", "kommunen"], "de", "Rechnungen automatisch prüfen",
     "Eine Stadtverwaltung lässt Eingangsrechnungen von KI vorprüfen. Zahlen zu Fehlern und Zeitgewinn."),
    ("zeche", "workshop", "ki", ["unternehmer", "startups"], "de", "Prozesse finden, die sich automatisieren lassen",
     "Mit einer einfachen Methode suchen wir in kleinen Gruppen die Abläufe, bei denen sich Automatisierung lohnt."),
    ("nordic", "talk30", "energy", ["kommunen", "experten"], "en", "Smart grids for municipal buildings",
     "How 120 public buildings in a Scandinavian city shift their load to cheaper, greener hours."),
    ("nordic", "talk20", "energy", ["unternehmer", "experten"], "en", "Peak shaving with batteries in schools",
     "Batteries in four schools cut the peaks of the grid connection. Costs, savings and lessons."),
    ("parkpilot", "talk20", "mobility", ["startups", "kommunen"], "de", "Lieferzonen digital buchen",
     "Lieferdienste buchen Ladezonen per App – weniger Falschparker, weniger Stau in der Innenstadt."),
    ("parkpilot", "handson", "mobility", ["buerger", "startups"], "de", "Parkplatzsensor zum Ausprobieren",
     "Am Stand zeigt ein Modellparkplatz, wie Sensoren freie Plätze melden."),
    ("sensorwerk", "talk20", "data", ["startups", "wissenschaft"], "de", "LoRaWAN für die ganze Stadt",
     "Wie ein Funknetz für Sensoren entsteht, was es kostet und welche Anwendungen es trägt."),
    ("sensorwerk", "handson", "data", ["schueler", "buerger"], "de", "Baue deinen eigenen Umweltsensor",
     "Schüler*innen löten einen Feinstaubsensor und sehen ihre Messwerte live auf der Karte."),
    ("civicflow", "talk30", "admin", ["kommunen", "startups"], "en", "Designing public services with citizens",
     "Six months of co-design with residents: what changed in the forms, letters and processes."),
    ("civicflow", "workshop", "admin", ["kommunen", "startups"], "en", "Service design sprint for one public service",
     "In 90 minutes we map one service from the citizen's view and sketch a better online version."),
    ("kiwerk", "talk20", "ki", ["startups", "unternehmer"], "de", "Kleine Sprachmodelle auf kommunaler Hardware",
     "Warum ein kleines, lokal betriebenes Modell für viele Verwaltungsaufgaben reicht."),
    ("kiwerk", "handson", "ki", ["buerger", "schueler"], "de", "Frag die Stadt: ein KI-Assistent zum Ausprobieren",
     "Besucher*innen stellen einem lokalen KI-Assistenten Fragen zur Stadt und sehen, woher die Antworten kommen."),
    ("rv_energy", "talk30", "energy", ["wissenschaft", "kommunen"], "de", "Lastprognosen für Quartiere",
     "Maschinelles Lernen sagt den Strombedarf von Quartieren voraus – mit offenen Daten und offenem Code."),
    ("rv_mobility", "talk20", "mobility", ["wissenschaft", "kommunen"], "de",
     "Radverkehr zählen mit Kameras ohne Bilder",
     "Kameras zählen Radfahrende, ohne Bilder zu speichern. Genauigkeit und Datenschutz im Vergleich."),
    ("rv_mobility", "workshop", "mobility", ["wissenschaft", "experten"], "de", "Mobilitätsdaten richtig lesen",
     "An echten Datensätzen üben wir, welche Schlüsse Zähldaten erlauben und welche nicht."),
    ("rv_ai", "talk30", "ki", ["wissenschaft", "experten"], "en", "Explainable AI for public decisions",
     "What an explanation must contain so that a decision supported by AI can be checked by a human."),
    ("rv_ai", "talk20", "ki", ["wissenschaft", "kommunen"], "de",
     "Bilderkennung für Straßenschäden: vom Labor auf die Straße",
     "Ein Modell aus dem Labor erkennt Schlaglöcher im Alltag – was sich beim Übergang in den Betrieb änderte."),
    ("rv_sensor", "talk20", "data", ["wissenschaft", "kommunen"], "de", "Sensordaten prüfen, bevor man ihnen glaubt",
     "Wie fehlerhafte Sensoren auffallen und warum Qualitätsprüfung vor jeder Auswertung steht."),
    ("rv_sensor", "handson", "energy", ["schueler", "wissenschaft"], "de", "Das Klassenzimmer misst sein Klima",
     "Sensoren für CO₂, Temperatur und Lärm zum Ausprobieren – so entstehen bessere Lüftungspläne."),
    ("werkstatt", "talk30", "admin", ["buerger", "schueler"], "de", "Digitale Sprechstunde für Senior*innen",
     "Ehrenamtliche helfen beim Online-Ausweis und beim Serviceportal. Was Fragen und Antworten verraten."),
    ("werkstatt", "workshop", "admin", ["buerger"], "de", "Den Online-Ausweis gemeinsam einrichten",
     "Wir schalten den ePersonalausweis frei und probieren eine Online-Leistung der Stadt aus."),
    ("opendata", "talk20", "data", ["buerger", "wissenschaft"], "en", "Open data hackathons that lead somewhere",
     "Three hackathons, nine prototypes, two services in operation: what made the difference."),
    ("opendata", "panel", "data", ["buerger", "kommunen", "wissenschaft"], "de", "Wem gehören die Daten der Stadt?",
     "Verwaltung, Wissenschaft und Zivilgesellschaft über Offenheit, Datenschutz und Verantwortung."),
    ("herne", "panel", "ki", ["kommunen", "buerger", "experten"], "de", "KI in der Verwaltung: wer entscheidet?",
     "Eine Oberbürgermeisterin, eine Datenschützerin und ein Entwickler über Verantwortung und Vertrauen."),
    ("bochum", "workshop", "energy", ["kommunen", "buerger"], "de", "Klimaanpassung im Quartier planen",
     "Mit Karten und Sensordaten planen wir Maßnahmen für ein Beispielquartier."),
    ("recklinghausen", "panel", "infra", ["kommunen", "unternehmer"], "de",
     "Glasfaser, 5G, LoRaWAN: welches Netz wofür?",
     "Netzbetreiber und Kommunen diskutieren, welche Infrastruktur die Stadt der Zukunft braucht."),
]

# the programme's blocks: (kind, title_de, title_en, day index, from, to, venue key or None, rooms (names) or [])
BLOCKS = [
    ("opening", "Eröffnung der Smart City Days", "Opening of the Smart City Days", 0, time(9), time(9, 30), "villa",
     []),
    ("lunch", "Mittagspause", "Lunch break", 0, time(12, 30), time(13, 30), None,
     ["Festsaal", "Kaminzimmer", "Seminarraum Shamrock", "Druckhalle", "Thinktank-Lab"]),
    ("lunch", "Mittagspause", "Lunch break", 1, time(12, 30), time(13, 30), None,
     ["Festsaal", "Kaminzimmer", "Seminarraum Shamrock", "Druckhalle", "Thinktank-Lab"]),
    ("closing", "Abschluss und Ausblick", "Closing and outlook", 1, time(17, 30), time(18), "villa", ["Festsaal"]),
]
# the audiences each venue's programme is for (the scheduler prefers sessions for them there)
VENUE_AUDIENCES = {"villa": ["kommunen", "unternehmer", "startups", "wissenschaft", "experten"],
                   "druckerei": ["buerger", "schueler"]}
FORMAT_AUDIENCE = {"talk20": 40, "talk30": 60, "panel": 100, "workshop": 25, "handson": 20}
EXHIBITION_STANDS = 8  # the Ausstellungsfläche holds this many hands-on stands at once
