"""E-mail over SMTP with the standard library: STARTTLS (verified against the system's CAs, or the
ones LEDGER_SMTP_CA_FILE names) before any credentials, then AUTH, then the message.

Failures become `DeliveryError`s that name the kind of failure and the SMTP reply code, never the
server's reply text, which may quote the recipient's address.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime

from notify.content import email_message
from notify.dispatch import Delivery, DeliveryError
from notify.settings import SmtpSettings


class SmtpSender:
    def __init__(self, settings: SmtpSettings, public_url: str) -> None:
        self._settings = settings
        self._public_url = public_url
        # Built once: loading the CA store is the slow part of a TLS handshake's set-up.
        self._tls = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)

    def send(self, delivery: Delivery, now: datetime) -> int | None:
        s = self._settings
        message = email_message(
            dict(delivery.content), to=delivery.target, sender=s.sender, public_url=self._public_url, now=now
        )
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
                if s.starttls:
                    smtp.starttls(context=self._tls)
                if s.user is not None and s.password is not None:
                    smtp.login(s.user, s.password)
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as e:
            codes = sorted({code for code, _ in e.recipients.values()})
            raise _refused(codes) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError("SMTP: the server does not offer STARTTLS", permanent=True) from None
        except smtplib.SMTPAuthenticationError as e:
            raise DeliveryError(f"SMTP {e.smtp_code}: authentication refused", status_code=e.smtp_code) from None
        except smtplib.SMTPResponseException as e:
            permanent = 500 <= e.smtp_code < 600
            raise DeliveryError(
                f"SMTP {e.smtp_code}: {type(e).__name__}", status_code=e.smtp_code, permanent=permanent
            ) from None
        except ssl.SSLCertVerificationError as e:
            raise DeliveryError(f"SMTP: TLS certificate not trusted ({e.verify_message})") from None
        except (smtplib.SMTPException, OSError) as e:
            raise DeliveryError(f"SMTP: {type(e).__name__}") from None
        if refused:  # some of several recipients refused; one target per delivery, so not expected
            raise _refused(sorted({code for code, _ in refused.values()}))
        return 250


def _refused(codes: list[int]) -> DeliveryError:
    permanent = bool(codes) and all(500 <= c < 600 for c in codes)
    return DeliveryError(
        f"SMTP {'/'.join(map(str, codes))}: recipient refused",
        status_code=codes[0] if codes else None,
        permanent=permanent,
    )
