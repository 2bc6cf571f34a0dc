"""What the forms say in Norwegian: each command's name on the page, its
address, its place on the case page and its confirmation; each field's label
and hint; and the few fields shown otherwise than their type suggests.

Everything else about a form (which fields, their types, limits, whether they
must be filled in, the choices of an enumeration) is derived from the command
(web/forms/fields.py). The words of enumerations' members are the ledger's
(ledger/vocabulary.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from commands import case_commands as c
from commands import plan_commands as p
from commands.base import Command
from ledger.values import Guardian, Person, Signer, Subject


@dataclass(frozen=True)
class CommandText:
    slug: str  # the address: /saker/{case_id}/handlinger/{slug}
    title: str  # the form's heading and the action's name
    area: str  # the group it is shown in on the case page (AREAS)
    done: str  # the confirmation after it was recorded
    submit: str = "Lagre"
    intro: str = ""  # a sentence above the fields, when the title does not say enough
    danger: bool = False  # cannot be undone: the button says so by its colour too


# The groups of the case page, in order: key -> heading.
AREAS: dict[str, str] = {
    "henvisning": "Henvisning og vedtak",
    "koordinator": "Koordinator",
    "team": "Team og samtykke",
    "plan": "Plan, mål og tiltak",
    "moter": "Møter",
    "oppfolging": "Evaluering, rapportering og overganger",
    "avslutning": "Avslutning, eksport og sletting",
    "klager": "Klager",
}

C = CommandText
COMMANDS: dict[type[Command], CommandText] = {
    c.OpenCase: C("ny", "Opprett sak", "henvisning", "Saken er opprettet.", "Opprett sak"),
    c.RequestProvision: C("mer-hjelp", "Registrer at det bes om mer", "henvisning", "Ønsket er registrert."),
    c.RecordDecision: C("vedtak", "Registrer vedtak", "henvisning", "Vedtaket er registrert.", "Registrer vedtak"),
    c.RequestCoordinator: C(
        "be-om-koordinator",
        "Be enhet om å oppnevne koordinator",
        "koordinator",
        "Enheten er bedt om å oppnevne koordinator.",
        "Send forespørsel",
        "Fristen for å oppnevne koordinator begynner å løpe når forespørselen er registrert.",
    ),
    c.AppointCoordinator: C(
        "oppnevn-koordinator", "Oppnevn koordinator", "koordinator", "Koordinatoren er oppnevnt.", "Oppnevn"
    ),
    c.AssignSubstitute: C("vikar", "Oppnevn vikar for koordinator", "koordinator", "Vikaren er oppnevnt.", "Oppnevn"),
    c.ReplaceCoordinator: C("bytt-koordinator", "Bytt koordinator", "koordinator", "Ny koordinator er oppnevnt."),
    c.ReleaseCoordinator: C("frita-koordinator", "Frita koordinator", "koordinator", "Koordinatoren er fritatt."),
    c.RecordCoordinatorTraining: C(
        "opplaering", "Registrer fullført opplæring", "koordinator", "Opplæringen er registrert."
    ),
    c.CloseRelayLog: C("lukk-stafettlogg", "Lukk stafettloggen", "koordinator", "Stafettloggen er lukket."),
    c.HoldStartupConversation: C(
        "oppstartsamtale", "Registrer oppstartsamtale", "koordinator", "Oppstartsamtalen er registrert."
    ),
    c.AddParticipant: C("ny-deltaker", "Legg til deltaker i teamet", "team", "Deltakeren er lagt til.", "Legg til"),
    c.RemoveParticipant: C("fjern-deltaker", "Fjern deltaker fra teamet", "team", "Deltakeren er fjernet.", "Fjern"),
    c.GrantConsent: C(
        "samtykke",
        "Registrer samtykke",
        "team",
        "Samtykket er registrert.",
        "Registrer samtykke",
        "Et samtykke for et barn under 16 år der saken har to foresatte, er ikke i kraft før begge har signert.",
    ),
    c.SignConsent: C(
        "signer-samtykke",
        "Signer samtykke som venter",
        "team",
        "Signaturen er registrert.",
        "Signer",
        "Den andre forelderen signerer et samtykke som venter på signatur; samtykket er i kraft fra da.",
    ),
    c.WithdrawConsent: C(
        "trekk-samtykke",
        "Trekk samtykke tilbake",
        "team",
        "Samtykket er trukket tilbake.",
        "Trekk tilbake",
        "Tilbaketrekningen gjelder fra det øyeblikket den er registrert.",
    ),
    c.ExpireConsent: C("samtykke-utlopt", "Registrer at et samtykke er utløpt", "team", "Samtykket er utløpt."),
    p.EstablishPlan: C("plan", "Velg koordineringsverktøy", "plan", "Verktøyet er valgt."),
    p.AssessLifeArea: C("livsomrade", "Beskriv et livsområde", "plan", "Livsområdet er beskrevet."),
    p.SetGoal: C("nytt-mal", "Sett nytt mål", "plan", "Målet er satt.", "Sett mål"),
    p.ReviseGoal: C("endre-mal", "Endre mål", "plan", "Målet er endret."),
    p.CloseGoal: C("avslutt-mal", "Avslutt mål", "plan", "Målet er avsluttet.", "Avslutt mål"),
    p.EvaluateGoal: C("evaluer-mal", "Evaluer mål", "plan", "Evalueringen er registrert.", "Registrer evaluering"),
    p.PlanActivity: C("nytt-tiltak", "Planlegg tiltak", "plan", "Tiltaket er planlagt."),
    p.CompleteActivity: C("tiltak-utfort", "Merk tiltak som utført", "plan", "Tiltaket er merket som utført."),
    p.AddComment: C("kommentar", "Skriv kommentar", "plan", "Kommentaren er lagret."),
    p.ScheduleMeeting: C("nytt-mote", "Sett opp møte", "moter", "Møtet er satt opp.", "Sett opp møte"),
    p.SendAgenda: C("saksliste", "Send saksliste", "moter", "Sakslisten er registrert som sendt.", "Registrer"),
    p.HoldMeeting: C("mote-holdt", "Registrer at møtet er holdt", "moter", "Møtet er registrert som holdt."),
    p.DistributeMinutes: C("referat", "Registrer at referatet er sendt", "moter", "Referatet er registrert som sendt."),
    p.CancelMeeting: C("avlys-mote", "Avlys møte", "moter", "Møtet er avlyst.", "Avlys møte"),
    p.ReviewTeam: C(
        "evaluer-teamet",
        "Evaluer teamets arbeid",
        "oppfolging",
        "Evalueringen av teamets arbeid er registrert.",
        intro="Teamets sammensetning, arbeidsform og det fortsatte behovet for IP og koordinator.",
    ),
    p.ReportStatus: C(
        "statusrapport", "Rapporter status til koordinerende enhet", "oppfolging", "Statusen er rapportert."
    ),
    p.PlanTransition: C("ny-overgang", "Planlegg overgang", "oppfolging", "Overgangen er planlagt."),
    p.CompleteTransition: C(
        "overgang-gjennomfort", "Registrer at en overgang er gjennomført", "oppfolging", "Overgangen er registrert."
    ),
    p.CloseCase: C(
        "avslutt",
        "Avslutt koordineringen",
        "avslutning",
        "Saken er avsluttet.",
        "Avslutt saken",
        "Dokumenter vurderingen og om personen er enig; er hen ikke enig, sender koordinerende enhet opphørsbrev.",
    ),
    p.NotifyClosure: C(
        "varsle-avslutning",
        "Registrer varsel om avslutning",
        "avslutning",
        "Varselet om avslutning er registrert.",
    ),
    p.ExportPlan: C("eksporter", "Eksporter planen", "avslutning", "Planen er eksportert.", "Eksporter"),
    p.EraseCase: C(
        "slett",
        "Slett personopplysningene i saken",
        "avslutning",
        "Personopplysningene i saken er slettet.",
        "Slett for godt",
        "Saksnøkkelen destrueres: hendelsene blir stående og kan fortsatt kontrolleres, men ingen opplysninger "
        "om personen kan leses igjen, verken her, i rapporter eller i eksporter. Det kan ikke angres.",
        danger=True,
    ),
    p.ReopenCase: C("gjenapne", "Gjenåpne saken", "avslutning", "Saken er gjenåpnet.", "Gjenåpne"),
    p.TransferOut: C(
        "overfor", "Registrer flytting til annen kommune", "avslutning", "Overføringen er registrert.", "Registrer"
    ),
    p.ReceiveComplaint: C("ny-klage", "Registrer klage", "klager", "Klagen er registrert.", "Registrer klage"),
    p.ForwardComplaint: C(
        "oversend-klage",
        "Oversend klage til Statsforvalteren",
        "klager",
        "Oversendelsen er registrert.",
        "Registrer oversendelse",
        "Velg rapporten som ble sendt med klagen. Rapporten lastes ned fra saken; hver nedlasting registreres "
        "med sitt sjekksum-fingeravtrykk (sha256).",
    ),
    p.DecideComplaint: C("klage-avgjort", "Registrer avgjørelse i klagesak", "klager", "Avgjørelsen er registrert."),
}
del C


@dataclass(frozen=True)
class FieldText:
    label: str
    hint: str = ""


F = FieldText
# By field name, for every command that has a field of that name.
FIELDS: dict[str, FieldText] = {
    "occurred_at": F("Når skjedde det?", "Dato og klokkeslett. La stå tomt hvis det skjedde nå."),
    "subject": F("Personen saken gjelder", "Fødselsnummer, eller navn og fødselsdato."),
    "guardians": F("Foresatt eller verge"),
    "requested": F("Hva det bes om"),
    "referrer_kind": F("Hvem henviste"),
    "referrer_name": F("Navn på den som henviste"),
    "received_at": F("Mottatt", "Dato og klokkeslett. La stå tomt hvis den ble mottatt nå."),
    "reported_under_hpl_38a": F("Meldt av helsepersonell etter helsepersonelloven § 38 a"),
    "note": F("Merknad"),
    "outcome": F("Utfall"),
    "concerns": F("Hva det gjelder"),
    "legal_basis": F("Hjemmel", "For eksempel hol. §§ 7-1, 7-2."),
    "reasons": F("Begrunnelse"),
    "complaint_deadline_weeks": F(
        "Klagefrist i uker",
        "4 uker etter pasient- og brukerrettighetsloven § 7-5, 3 uker etter forvaltningsloven § 29.",
    ),
    "complaint_information_given": F("Er personen informert om klageretten og fristen?"),
    "unit": F("Enhet"),
    "unit_leader": F("Enhetsleder"),
    "person": F("Person"),
    "kind": F("Type"),
    "subject_wish_heard": F("Er personens ønske om koordinator hørt?"),
    "request_id": F("Forespørsel som besvares", "Tomt: den eldste forespørselen som ikke er besvart."),
    "until": F("Til og med"),
    "subject_informed": F("Personen er informert"),
    "reason": F("Begrunnelse"),
    "person_id": F("Koordinatorens brukernavn"),
    "course": F("Kurs"),
    "what_matters": F("Hva er viktig for deg?", "Med personens egne ord."),
    "interpreter_needed": F("Trengs tolk?"),
    "expectations": F("Forventninger"),
    "contact_preferences": F("Hvordan personen vil bli kontaktet"),
    "interpreter_language": F("Tolkespråk"),
    "given_by": F("Samtykket gis av"),
    "also_given_by": F("Den andre forelderen signerer også nå"),
    "participants": F("Deltakere"),
    "services": F("Tjenester", "Én tjeneste per linje, for tjenester uten navngitt deltaker."),
    "categories": F("Opplysninger samtykket gjelder"),
    "valid_until": F("Gyldig til og med"),
    "signed_how": F("Hvordan samtykket er signert", "For eksempel digital eller papirskjema."),
    "child_view": F("Barnets egen mening", "Registreres fra barnet er 7 år; veier tungt fra 12 år."),
    "consent_id": F("Samtykke"),
    "signer": F("Den som signerer"),
    "scope": F("Hva trekkes tilbake"),
    "service": F("Tjeneste"),
    "role": F("Rolle i teamet"),
    "mandatory": F("Fast deltaker", "Ellers deltar personen ved behov."),
    "participant_id": F("Deltaker"),
    "tool": F("Koordineringsverktøy"),
    "informed_of_right_to_ip": F("Personen er informert om retten til individuell plan"),
    "ip_declined": F("Personen har takket nei til individuell plan", "Koordinatoren beholdes; verktøyet blir referat."),
    "life_area": F("Livsområde"),
    "situation": F("Situasjonen nå"),
    "text": F("Tekst"),
    "responsible_service": F("Ansvarlig tjeneste"),
    "evaluate_by": F("Evalueres innen"),
    "goal_id": F("Mål"),
    "what": F("Hva skal gjøres"),
    "due": F("Frist"),
    "activity_id": F("Tiltak"),
    "status": F("Status"),
    "scheduled_for": F("Tidspunkt for møtet"),
    "invitees": F("Inviterte"),
    "interpreter_booked": F("Tolk er bestilt"),
    "meeting_id": F("Møte"),
    "items": F("Saker på sakslisten", "Én sak per linje."),
    "agreed_with_subject": F("Er sakslisten avtalt med personen?"),
    "attendees": F("Til stede"),
    "subject_voice": F("Personens stemme", "Hva personen selv sa, eller for et barn: hvordan medvirkning ble sikret."),
    "absences": F("Meldt forfall"),
    "minute_taker": F("Referent"),
    "decisions": F("Beslutninger", "Én beslutning per linje."),
    "next_meeting": F("Neste møte"),
    "recipients": F("Sendt til"),
    "states_status": F("Referatet sier status"),
    "states_evaluation": F("Referatet evaluerer tiltakene"),
    "states_new_activities": F("Referatet nevner nye tiltak"),
    "states_responsibilities": F("Referatet fordeler ansvar"),
    "states_next_meeting": F("Referatet sier når neste møte er"),
    "continued_need": F("Er det fortsatt behov for individuell plan eller koordinator?"),
    "composition_ok": F("Teamets sammensetning er riktig"),
    "still_active": F("Er saken fortsatt aktiv?"),
    "from_service": F("Fra tjeneste"),
    "to_service": F("Til tjeneste"),
    "responsible": F("Ansvarlig"),
    "transition_id": F("Overgang"),
    "assessment": F("Vurdering", "Den dokumenterte vurderingen bak avslutningen."),
    "agreed_by_subject": F("Er personen enig i avslutningen?"),
    "termination_letter_sent": F("Opphørsbrev er sendt"),
    "ke_notified": F("Er koordinerende enhet varslet?"),
    "format": F("Format"),
    "filed_in": F("Arkivert i", "For eksempel saksnummer i sak/arkiv-systemet."),
    "to_municipality": F("Mottakende kommune", "Kommunenummer, fire siffer."),
    "transferred": F("Hva ble overført", "Én ting per linje, slik samtykket tillater."),
    "complaint_id": F("Klage"),
    "report_sha256": F("Rapporten som ble oversendt"),
    "decided_by": F("Avgjort av"),
    "confirm": F("Jeg bekrefter at personopplysningene i saken skal slettes for godt"),
}

# Where one command means something else by a field than the table above says.
COMMAND_FIELDS: dict[tuple[type[Command], str], FieldText] = {
    (c.AppointCoordinator, "person"): F("Koordinator"),
    (c.AppointCoordinator, "unit"): F("Koordinatorens enhet"),
    (c.AppointCoordinator, "kind"): F("Oppnevnt som"),
    (c.AssignSubstitute, "person"): F("Vikar"),
    (c.AssignSubstitute, "unit"): F("Vikarens enhet"),
    (c.ReplaceCoordinator, "person"): F("Ny koordinator"),
    (c.ReplaceCoordinator, "unit"): F("Den nye koordinatorens enhet"),
    (c.ReplaceCoordinator, "subject_informed"): F("Personen er informert om byttet"),
    (c.RequestCoordinator, "unit"): F("Enheten som skal oppnevne koordinator"),
    (c.RecordCoordinatorTraining, "course"): F("Kurs", "For eksempel introduksjonskurs for koordinatorer."),
    (c.AddParticipant, "person"): F("Deltaker"),
    (c.WithdrawConsent, "participants"): F("Deltakere samtykket trekkes for", "Når det trekkes for enkelte deltakere."),
    (c.WithdrawConsent, "categories"): F("Opplysninger samtykket trekkes for", "Når det trekkes for enkelte typer."),
    (p.SetGoal, "text"): F("Målet", "Skrevet i første person, med personens egne ord."),
    (p.ReviseGoal, "text"): F("Målet", "Skrevet i første person, med personens egne ord."),
    (p.AddComment, "text"): F("Kommentar"),
    (p.AddComment, "goal_id"): F("Gjelder målet", "Tomt: kommentaren gjelder planen."),
    (p.EvaluateGoal, "status"): F("Er målet nådd?"),
    (p.EvaluateGoal, "note"): F("Kommentar til evalueringen"),
    (p.PlanActivity, "responsible_service"): F("Ansvarlig tjeneste"),
    (p.NotifyClosure, "participants"): F("Varslet i teamet"),
    (p.CloseCase, "reason"): F("Årsak"),
    (p.ReviewTeam, "note"): F("Vurdering"),
    (p.ReceiveComplaint, "text"): F("Klagen", "Hva personen klager på, kort."),
    (p.ReceiveComplaint, "concerns"): F("Klagen gjelder"),
    (p.DecideComplaint, "outcome"): F("Resultat"),
    (p.TransferOut, "consent_id"): F("Samtykket overføringen bygger på"),
}

# The fields of value objects, by the object's class.
VALUE_TEXTS: dict[tuple[type, str], FieldText] = {
    (Person, "id"): F("Brukernavn", "Det personen logger inn med."),
    (Person, "name"): F("Navn"),
    (Subject, "national_id"): F("Fødselsnummer eller D-nummer", "11 siffer."),
    (Subject, "name"): F("Navn"),
    (Subject, "birth_date"): F("Fødselsdato", "Når fødselsnummer mangler. For et ventet barn: termin."),
    (Subject, "expected"): F("Barnet er ikke født ennå"),
    (Guardian, "name"): F("Navn"),
    (Guardian, "national_id"): F("Fødselsnummer eller D-nummer", "11 siffer."),
    (Guardian, "kind"): F("Er"),
    (Signer, "role"): F("Signerer som"),
    (Signer, "name"): F("Navn"),
    (Signer, "national_id"): F("Fødselsnummer eller D-nummer", "11 siffer."),
}
del F

# Fields a command has that a form never shows, with the reason.
NOT_ASKED: dict[tuple[type[Command], str], str] = {
    (c.OpenCase, "municipality"): "a case is opened in the signed-in person's own municipality (INV-01)",
    (c.OpenCase, "case_id"): "chosen by the ledger",
}

# How many blank entries a list of value objects offers.
REPEATS: dict[str, int] = {"guardians": 2, "also_given_by": 1}

# Export formats, the one text field whose pattern lists its values.
EXPORT_FORMATS: dict[str, str] = {"pdf": "PDF, for arkivet", "json": "JSON, maskinlesbar pakke for ny kommune"}
