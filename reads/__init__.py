"""The read service (reads/service.py) and the one read policy (reads/policy.py)."""

from reads.cases import CaseData, ExportedDocument, IssuedReport
from reads.service import ReadService

__all__ = ["CaseData", "ExportedDocument", "IssuedReport", "ReadService"]
