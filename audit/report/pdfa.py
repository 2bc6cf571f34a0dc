"""What makes a document PDF/A-2u (ISO 19005-2, level U): an sRGB output
intent, XMP metadata that names the PDF/A part and conformance, the title and
the language, and nothing that depends on when or where it was rendered.

fpdf2 (pinned) does the rest when the document is created with
`enforce_compliance="PDF/A-2U"`: PDF 1.7, embedded TrueType subsets with a
ToUnicode map (so every character is Unicode-mapped: level U), no Info
dictionary to keep consistent with the XMP, and refusal of encryption and of
non-embedded fonts. Its own XMP would carry the rendering time; ours is dated
by the document's data.

The ICC profile is LittleCMS's built-in sRGB profile, generated at run time
through Pillow (`ImageCms.createProfile("sRGB")`: computed from the sRGB
primaries, D65 white point and transfer curve; the profile says "No copyright,
use freely"). No third-party profile file is shipped. LittleCMS stamps the
profile with the moment it was made; that stamp is replaced by a fixed one so
the same document gives the same bytes (`SRGB_PROFILE_SHA256` pins the result:
a Pillow that writes another profile fails a test rather than silently
changing every document's digest).
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from functools import cache
from xml.sax.saxutils import escape

from PIL import ImageCms

PART, CONFORMANCE = 2, "U"
COMPLIANCE = f"PDF/A-{PART}{CONFORMANCE}"
LANGUAGE = "nb"
CREATOR_TOOL = "coordination-ledger"
SRGB_IDENTIFIER = "sRGB IEC61966-2.1"
SRGB_PROFILE_SHA256 = "81d313ce695fe3d921806c24018e87561b90127a69057797cfe20f9b508359b8"
# The ICC header's creation time (bytes 24-35, six big-endian uint16):
# a fixed moment instead of the time the profile was generated.
_ICC_DATE = struct.pack(">6H", 2026, 1, 1, 0, 0, 0)


@cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile of the output intent, the same bytes on every run."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = _ICC_DATE
    # Bytes 84-99 hold the profile's MD5 id; LittleCMS leaves it zero ("not computed"),
    # so the new date needs no new id.
    return bytes(profile)


def _moment(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


def xmp(*, title: str, made_at: datetime, producer: str, author: str = "", subject: str = "") -> str:
    """The document's XMP packet body (fpdf2 wraps it in <?xpacket?>): PDF/A identification,
    Dublin Core title, language and format, and dates from the data, never the clock."""
    moment = _moment(made_at)
    creator = f"<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>" if author else ""
    description = (
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt></dc:description>'
        if subject
        else ""
    )
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">\n'
        f"   <pdfaid:part>{PART}</pdfaid:part>\n"
        f"   <pdfaid:conformance>{CONFORMANCE}</pdfaid:conformance>\n"
        "   <dc:format>application/pdf</dc:format>\n"
        f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>\n'
        f"   <dc:language><rdf:Bag><rdf:li>{LANGUAGE}</rdf:li></rdf:Bag></dc:language>\n"
        + (f"   {creator}\n" if creator else "")
        + (f"   {description}\n" if description else "")
        + f"   <xmp:CreateDate>{moment}</xmp:CreateDate>\n"
        f"   <xmp:ModifyDate>{moment}</xmp:ModifyDate>\n"
        f"   <xmp:MetadataDate>{moment}</xmp:MetadataDate>\n"
        f"   <xmp:CreatorTool>{CREATOR_TOOL}</xmp:CreatorTool>\n"
        f"   <pdf:Producer>{escape(producer)}</pdf:Producer>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>"
    )
