"""Invented people for `ledger demo`: subjects, parents and municipal staff,
and the Norwegian texts they write. Every name is made up; every national id
is synthesised for its birth date and valid only as test data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ledger.national_id import synthesize
from ledger.values import Actor, Guardian, GuardianKind, LifeArea, Role

FEMALE = (
    "Åse",
    "Astrid",
    "Bjørg",
    "Dagny",
    "Eldbjørg",
    "Guri",
    "Gunnhild",
    "Hege",
    "Ingrid",
    "Kari",
    "Kjersti",
    "Liv",
    "Marit",
    "Nora",
    "Ragnhild",
    "Randi",
    "Signe",
    "Solveig",
    "Synnøve",
    "Tone",
    "Turid",
    "Vigdis",
    "Åshild",
    "Maja",
    "Sofie",
    "Ida",
    "Hedda",
    "Tiril",
    "Frøya",
    "Aurora",
    "Selma",
    "Ylva",
    "Marte",
    "Sølvi",
    "Gøril",
    "Mari",
    "Ellinor",
    "Bodil",
    "Trude",
    "Karen",
)
MALE = (
    "Arne",
    "Bjørn",
    "Eirik",
    "Gunnar",
    "Håkon",
    "Halvard",
    "Ivar",
    "Jørgen",
    "Kåre",
    "Knut",
    "Lars",
    "Magnus",
    "Nils",
    "Ola",
    "Øystein",
    "Øyvind",
    "Pål",
    "Rune",
    "Sigurd",
    "Steinar",
    "Sverre",
    "Terje",
    "Torbjørn",
    "Trond",
    "Vegard",
    "Åsmund",
    "Jon",
    "Emil",
    "Jakob",
    "Oskar",
    "Aksel",
    "Ludvig",
    "Tobias",
    "Sondre",
    "Brage",
    "Mats",
    "Even",
    "Sølve",
    "Per",
    "Geir",
)
SURNAMES = (
    "Aasen",
    "Bakke",
    "Bjørnstad",
    "Brøndbo",
    "Dahl",
    "Engebråten",
    "Fjærli",
    "Grønli",
    "Haugen",
    "Håland",
    "Hovde",
    "Kjærnes",
    "Løkken",
    "Lie",
    "Moe",
    "Myhre",
    "Nygård",
    "Næss",
    "Østby",
    "Øverli",
    "Rønning",
    "Sæther",
    "Sand",
    "Skjærvø",
    "Solberg",
    "Strand",
    "Sørum",
    "Tangen",
    "Tveit",
    "Våge",
    "Aune",
    "Bøe",
    "Flåten",
    "Græsli",
    "Kvåle",
    "Løvås",
    "Mørk",
    "Rød",
    "Sjøberg",
    "Ødegård",
    "Ås",
    "Ulvestad",
    "Melbø",
    "Kvam",
    "Bråten",
    "Hølmebakk",
    "Skårdal",
    "Frøystad",
    "Lømo",
    "Bækken",
)
INTERPRETER_LANGUAGES = ("arabisk", "tigrinja", "somali", "polsk", "ukrainsk", "dari")

# Services a team is made of: service key (as recorded on participants,
# goals and tokens) -> the participant's role in the team.
SERVICE_ROLES: dict[str, str] = {
    "NAV": "veileder",
    "fastlege": "fastlege",
    "psykisk helse og rus": "psykiatrisk sykepleier",
    "hjemmetjenesten": "primærkontakt",
    "fysioterapi": "fysioterapeut",
    "helsestasjon": "helsesykepleier",
    "barnehage": "pedagogisk leder",
    "skole": "kontaktlærer",
    "PPT": "PP-rådgiver",
    "barnevern": "saksbehandler i barnevernstjenesten",
    "habilitering": "vernepleier",
}

# Units that name coordinators, per municipality, in its own words (Sunnfjord
# writes nynorsk): (unit name, service key, serves children).
UNITS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "3447": (
        ("Psykisk helse og rus", "psykisk helse og rus", False),
        ("Hjemmetjenesten", "hjemmetjenesten", False),
        ("Helsestasjon og skolehelsetjeneste", "helsestasjon", True),
        ("Tjenester for funksjonshemmede", "habilitering", True),
    ),
    "4647": (
        ("Eining for psykisk helse og rus", "psykisk helse og rus", False),
        ("Heimetenesta", "hjemmetjenesten", False),
        ("Helsestasjon og skulehelseteneste", "helsestasjon", True),
        ("Bu- og habiliteringstenesta", "habilitering", True),
    ),
    "5032": (
        ("Psykisk helse og rus", "psykisk helse og rus", False),
        ("Hjemmetjenesten", "hjemmetjenesten", False),
        ("Helsestasjonen", "helsestasjon", True),
        ("Enhet for tilrettelagte tjenester", "habilitering", True),
    ),
    "3443": (
        ("Psykisk helse og rus", "psykisk helse og rus", False),
        ("Hjemmetjenesten", "hjemmetjenesten", False),
        ("Familiens hus (helsestasjon)", "helsestasjon", True),
        ("Barnehagene", "barnehage", True),
    ),
}


@dataclass(frozen=True)
class Unit:
    name: str
    service: str
    children: bool
    leader: Actor
    coordinators: tuple[Actor, ...]


@dataclass
class Staff:
    """Everyone who works on cases in one municipality."""

    municipality: str
    ke: tuple[Actor, ...]
    units: tuple[Unit, ...]
    providers: dict[str, tuple[Actor, ...]]

    def units_for(self, child: bool) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.children == child)

    def unit_of(self, service: str) -> Unit:
        return next(u for u in self.units if u.service == service)


@dataclass
class DemoPerson:
    name: str | None
    female: bool
    birth: date
    national_id: str | None
    guardians: tuple[Guardian, ...] = ()
    expected: bool = False

    @property
    def first_name(self) -> str:
        return (self.name or "barnet").split()[0]

    def age(self, on: date) -> int:
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))

    def pronoun(self) -> str:
        return "hun" if self.female else "han"


@dataclass
class People:
    """Makes invented people with unique synthetic national ids."""

    rng: random.Random
    used_ids: set[str] = field(default_factory=set)

    def full_name(self, female: bool, surname: str | None = None) -> str:
        first = self.rng.choice(FEMALE if female else MALE)
        return f"{first} {surname or self.rng.choice(SURNAMES)}"

    def national_id(self, birth: date, d_number: bool = False) -> str:
        for _ in range(50):
            nid = synthesize(birth, self.rng.randrange(500), d_number=d_number)
            if nid not in self.used_ids:
                self.used_ids.add(nid)
                return nid
        raise RuntimeError(f"no free synthetic national id for {birth}")

    def birth_at_age(self, on: date, youngest: int, oldest: int) -> date:
        years = self.rng.randint(youngest, oldest)
        return on - timedelta(days=years * 365 + self.rng.randint(20, 340))

    def adult(
        self, on: date, youngest: int = 18, oldest: int = 84, *, with_id: bool = True, d_number: bool = False
    ) -> DemoPerson:
        female = self.rng.random() < 0.5
        birth = self.birth_at_age(on, youngest, oldest)
        nid = self.national_id(birth, d_number) if with_id else None
        return DemoPerson(self.full_name(female), female, birth, nid)

    def child(
        self, on: date, youngest: int = 0, oldest: int = 15, *, parents: int = 2, expected: bool = False
    ) -> DemoPerson:
        female = self.rng.random() < 0.5
        surname = self.rng.choice(SURNAMES)
        birth = on + timedelta(days=self.rng.randint(60, 150)) if expected else self.birth_at_age(on, youngest, oldest)
        guardians = tuple(self.parent(birth, female=i == 0, surname=surname) for i in range(parents))
        name = None if expected else self.full_name(female, surname)
        nid = None if expected else self.national_id(birth)
        return DemoPerson(name, female, birth, nid, guardians, expected)

    def parent(self, child_birth: date, *, female: bool, surname: str) -> Guardian:
        birth = child_birth - timedelta(days=self.rng.randint(22, 42) * 365 + self.rng.randint(0, 300))
        return Guardian(name=self.full_name(female, surname), national_id=self.national_id(birth))

    def verge(self, on: date) -> Guardian:
        person = self.adult(on, 35, 70)
        return Guardian(name=person.name or "", national_id=person.national_id, kind=GuardianKind.VERGE)


def make_staff(municipality: str, rng: random.Random, people: People) -> Staff:
    def actor(role: Role, key: str, service: str | None = None) -> Actor:
        return Actor(
            id=f"{municipality}-{key}",
            role=role,
            municipality=municipality,
            name=people.full_name(rng.random() < 0.6),
            service=service,
        )

    ke = tuple(actor(Role.KE_CASEWORKER, f"ke-{i}") for i in (1, 2))
    units = []
    for n, (name, service, children) in enumerate(UNITS[municipality], start=1):
        coordinators = tuple(actor(Role.COORDINATOR, f"koord-{n}{i}", service) for i in (1, 2, 3))
        units.append(Unit(name, service, children, actor(Role.UNIT_LEADER, f"leder-{n}"), coordinators))
    providers = {
        service: tuple(actor(Role.SERVICE_PROVIDER, f"{_slug(service)}-{i}", service) for i in (1, 2))
        for service in SERVICE_ROLES
    }
    return Staff(municipality, ke, tuple(units), providers)


def _slug(service: str) -> str:
    return service.lower().replace(" ", "-").replace("ø", "o")


# ------------------------------------------------------------------ texts
GOALS: dict[bool, dict[LifeArea, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    # child? -> life area -> (first-person goal, services that can be responsible)
    False: {
        LifeArea.HEALTH: (
            ("Jeg vil sove bedre og ha mer overskudd på dagtid", ("fastlege", "psykisk helse og rus")),
            ("Jeg vil gå en tur på minst 30 minutter fem dager i uka", ("fysioterapi", "hjemmetjenesten")),
            ("Jeg vil klare å ta medisinene mine selv", ("hjemmetjenesten", "fastlege")),
            ("Jeg vil være rusfri i helgene", ("psykisk helse og rus",)),
        ),
        LifeArea.EDUCATION_WORK: (
            ("Jeg vil ha en fast jobb innen ett år", ("NAV",)),
            ("Jeg vil begynne i arbeidstrening tre dager i uka", ("NAV",)),
            ("Jeg vil fullføre fagbrevet mitt", ("NAV",)),
            ("Jeg vil ha et dagtilbud jeg trives på", ("habilitering", "hjemmetjenesten")),
        ),
        LifeArea.ECONOMY: (
            ("Jeg vil ha oversikt over økonomien og betale regningene mine i tide", ("NAV",)),
            ("Jeg vil bli kvitt inkassogjelden min", ("NAV",)),
        ),
        LifeArea.HOUSING: (
            ("Jeg vil bo i egen leilighet", ("psykisk helse og rus", "NAV")),
            ("Jeg vil klare å holde orden i leiligheten min selv", ("hjemmetjenesten",)),
            ("Jeg vil kunne bo hjemme så lenge som mulig", ("hjemmetjenesten",)),
        ),
        LifeArea.LEISURE: (
            ("Jeg vil begynne i et kor eller en forening", ("psykisk helse og rus", "habilitering")),
            ("Jeg vil trene på treningssenteret en gang i uka", ("fysioterapi",)),
        ),
        LifeArea.NETWORK: (
            ("Jeg vil ha kontakt med familien min hver uke", ("psykisk helse og rus", "hjemmetjenesten")),
            ("Jeg vil ha en venn å gå på kafé med", ("psykisk helse og rus", "habilitering")),
        ),
        LifeArea.SOCIETY: (
            ("Jeg vil kunne ta bussen alene til byen", ("habilitering", "hjemmetjenesten")),
            ("Jeg vil klare å bruke nettbanken selv", ("NAV", "hjemmetjenesten")),
        ),
    },
    True: {
        LifeArea.HEALTH: (
            ("Jeg vil sove hele natta", ("helsestasjon", "fastlege")),
            ("Jeg vil kunne gå i trapper uten hjelp", ("fysioterapi",)),
            ("Jeg vil spise mer selv", ("helsestasjon",)),
        ),
        LifeArea.EDUCATION_WORK: (
            ("Jeg vil leke med de andre barna i barnehagen", ("barnehage",)),
            ("Jeg vil ha en god start på skolen", ("skole", "PPT")),
            ("Jeg vil lese selv", ("skole", "PPT")),
        ),
        LifeArea.LEISURE: (
            ("Jeg vil være med på fotballtreningen", ("fysioterapi",)),
            ("Jeg vil lære å svømme", ("fysioterapi",)),
        ),
        LifeArea.NETWORK: (
            ("Jeg vil ha en bestevenn i klassen", ("skole",)),
            ("Jeg vil være med i bursdagsselskaper", ("barnehage", "skole")),
        ),
        LifeArea.SOCIETY: (("Jeg vil si fra med ord eller tegn når jeg vil noe", ("PPT", "habilitering")),),
    },
}

ACTIVITIES: dict[str, tuple[str, ...]] = {
    "NAV": (
        "Ukentlige samtaler med veileder i NAV",
        "Arbeidstrening hos lokal bedrift",
        "Søknad om arbeidsavklaringspenger",
        "Budsjettveiledning hos NAV",
    ),
    "fastlege": ("Medisingjennomgang hos fastlegen", "Kontroll hos fastlegen hver tredje måned"),
    "psykisk helse og rus": ("Samtaler med psykiatrisk sykepleier annenhver uke", "Kurs i mestring av angst"),
    "hjemmetjenesten": ("Praktisk bistand to dager i uka", "Dosett og påminnelse om medisiner"),
    "fysioterapi": ("Fysioterapi to ganger i uka", "Treningsprogram hjemme"),
    "helsestasjon": ("Jevnlig oppfølging hos helsesykepleier", "Veiledning til foreldrene om søvn"),
    "barnehage": ("Tilrettelagt lek i liten gruppe", "Ekstra voksen i barnehagen"),
    "skole": ("Tilpasset opplæring i lesing", "Fast voksen i friminuttene"),
    "PPT": ("Sakkyndig vurdering", "Observasjon og råd til personalet"),
    "barnevern": ("Familieveiledning hjemme",),
    "habilitering": ("Avlastning én helg i måneden", "Kurs i tegn til tale for familien"),
}

SITUATIONS: dict[bool, dict[LifeArea, tuple[str, ...]]] = {
    False: {
        LifeArea.HEALTH: (
            "Har angst og søvnvansker; bruker faste medisiner.",
            "Kroniske smerter i rygg og nakke.",
            "Diabetes og nedsatt syn; trenger hjelp med oppfølging.",
        ),
        LifeArea.EDUCATION_WORK: (
            "Har vært sykmeldt i over ett år; ønsker å komme tilbake i arbeid.",
            "Går på dagtilbud tre dager i uka.",
        ),
        LifeArea.ECONOMY: ("Har gjeld og lite oversikt over utgiftene.", "Lever på uføretrygd; trangt budsjett."),
        LifeArea.HOUSING: ("Bor midlertidig hos en venn.", "Bor alene i kommunal leilighet."),
        LifeArea.LEISURE: ("Har få aktiviteter utenfor hjemmet.",),
        LifeArea.NETWORK: ("Lite kontakt med familie; savner noen å snakke med.", "Har god støtte fra en søster."),
        LifeArea.SOCIETY: ("Synes det er vanskelig å bruke offentlig transport alene.",),
    },
    True: {
        LifeArea.HEALTH: (
            "Født for tidlig; følges av habiliteringstjenesten.",
            "Epilepsi; anfall omtrent hver måned.",
            "Sover dårlig og våkner flere ganger hver natt.",
        ),
        LifeArea.EDUCATION_WORK: (
            "Går i barnehage fem dager i uka med ekstra voksen.",
            "Går i 3. klasse; strever med lesing.",
        ),
        LifeArea.LEISURE: ("Liker å bade og være ute.",),
        LifeArea.NETWORK: ("Har to søsken; besteforeldrene bor i nærheten.",),
        LifeArea.SOCIETY: ("Kommuniserer med tegn og noen ord.",),
    },
}

WHAT_MATTERS: dict[bool, tuple[str, ...]] = {
    False: (
        "å klare meg selv hjemme",
        "å ha noen å snakke med når det er tungt",
        "å komme tilbake i jobb",
        "å ha en rolig hverdag uten så mange ulike møter",
        "å slippe å fortelle historien min til alle på nytt",
    ),
    True: (
        "at barnet får leke med andre barn",
        "en trygg skolestart",
        "at vi som foreldre slipper å koordinere alt selv",
        "at barnet får sove godt om natta",
        "å få én fast person å forholde oss til",
    ),
}

AGENDA = (
    "Velkommen og runde rundt bordet",
    "Hva er viktig for deg nå?",
    "Evaluering av mål og tiltak",
    "Nye tiltak og hvem som har ansvar",
    "Dato for neste møte",
)

MEETING_DECISIONS = (
    "Tiltakene fortsetter som før",
    "NAV undersøker mulig arbeidstreningsplass",
    "Fastlegen henviser til ny vurdering",
    "Koordinator sender oppdatert plan til alle",
    "PPT observerer i barnehagen før neste møte",
)

REFERRERS_ADULT = (
    ("gp", "Fastlege"),
    ("hospital", "Sykehuset, avdeling for psykisk helsevern"),
    ("nav", "NAV-kontoret"),
    ("subject", ""),
    ("relative", "Pårørende"),
    ("service", "Hjemmetjenesten"),
)
REFERRERS_CHILD = (
    ("health_station", "Helsestasjonen"),
    ("kindergarten", "Barnehagen"),
    ("school", "Skolen"),
    ("hospital", "Barne- og ungdomsklinikken"),
    ("relative", "Foreldrene"),
)


def voice(person: DemoPerson, on: date, rng: random.Random) -> str:
    """How the subject's own voice was heard in a meeting (CHK-06)."""
    age = person.age(on)
    he = person.pronoun()
    if person.expected or age < 7:
        return rng.choice(
            (
                "Foreldrene la fram barnets behov og ønsker; barnet var med i starten av møtet.",
                "Barnets ønsker ble formidlet av foreldrene, og barnehagen viste bilder fra hverdagen.",
            )
        )
    if age < 16:
        return rng.choice(
            (
                f"{person.first_name} tegnet hva som er viktig, og {he} fortalte selv om skolen.",
                f"{person.first_name} snakket først og sa hva {he} liker best på skolen.",
            )
        )
    return rng.choice(
        (
            f"{person.first_name} snakket først og fortalte hvordan hverdagen er nå.",
            f"{person.first_name} ønsket å starte møtet selv og la fram hva som er viktigst.",
            f"{person.first_name} hadde skrevet ned tre ting {he} ville ta opp, og begynte med dem.",
        )
    )
