"""What the municipality's archive decides, not the ledger: where the case
folders go (class and archive part), the unit responsible, and how access is
restricted. The composition root builds one per municipality from settings."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.profiles import MUNICIPALITY_NAMES


@dataclass(frozen=True, kw_only=True)
class ArchiveSettings:
    municipality: str
    # The class (ordningsverdi) the municipality files its health and care coordination
    # cases under, e.g. a K-code of KS's classification scheme; the archive decides.
    classification_system: str
    class_id: str
    class_title: str
    # The archive part (arkivdel) code in the archive, when it wants one named.
    archive_part: str = ""
    # The name the ledger goes by as a specialist system (fagsystem) in external keys.
    system: str = "coordination-ledger"
    responsible_unit: str = "Koordinerende enhet"
    # The case folder's title, followed by " – sak <first 8 characters of the case id>":
    # no name, birth date or identity number of the person, since titles are shown in
    # the public journal (offentlig journal).
    case_title: str = "Koordinering og individuell plan"
    # Access restriction: duty of confidentiality (offentleglova § 13 with
    # forvaltningsloven § 13) covers every record of a coordination case.
    access_code: str = "13"
    access_basis: str = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"

    @property
    def municipality_name(self) -> str:
        return f"{MUNICIPALITY_NAMES.get(self.municipality, self.municipality)} kommune"

    def folder_title(self, case_id: str) -> str:
        return f"{self.case_title} – sak {str(case_id)[:8]}"
