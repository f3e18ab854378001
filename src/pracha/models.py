"""Every table of Pracha, imported once so the metadata (for Alembic) is complete."""

from __future__ import annotations

from pracha.appointments.models import Appointment, SlotLoad
from pracha.assistant.models import Conversation, Message
from pracha.automation.models import BotDecision, Certificate, DailyStatistic, RenewalReminder, Task
from pracha.db import Base
from pracha.exchange.models import AccessRight, Consent, ExchangeService, MessageLog, Subsystem
from pracha.identity.models import ActingGrant, ApiToken, PasswordReset, SigninThrottle, User, WebSession
from pracha.identity.oidc.models import (
    OidcAssertion,
    OidcClient,
    OidcCode,
    OidcConsent,
    OidcSigningKey,
    OidcToken,
    Passkey,
    SessionAssurance,
)
from pracha.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerTile, SubjectKey
from pracha.notices.models import InboxMessage, LineLink, LineLinkCode, NoticePreference, OutboxMessage
from pracha.opendata.models import CatalogueState, OpenDataset, OpenResource, ResourceVersion
from pracha.participation.models import (
    AbuseReport,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    Hearing,
    HearingResponse,
    LineReport,
    ModerationAction,
    Petition,
    PetitionSupport,
)
from pracha.payments.models import Bank, Discrepancy, Payment, Receipt, ReceiptSequence, Refund
from pracha.privacy.models import PrivacyEvent, PrivacyRequest
from pracha.privacy.records import Breach, BreachSubject, Hold, RetentionRun
from pracha.services.casework import CaseNote
from pracha.services.models import Application, ApplicationEvent, Bundle, CoApproval, Document
from pracha.services.views import StaffView
from pracha.vault.models import DataKey

__all__ = [
    "Base", "DataKey", "User", "WebSession", "SigninThrottle", "ApiToken", "ActingGrant", "InboxMessage",
    "OutboxMessage", "Bundle", "CoApproval", "RenewalReminder",
    "Application", "ApplicationEvent", "Document", "CaseNote",
    "LedgerEntry", "LedgerTile", "LedgerHead", "LedgerCheckpoint", "SubjectKey",
    "OidcClient", "OidcSigningKey", "OidcCode", "OidcToken", "OidcAssertion", "OidcConsent", "Passkey",
    "SessionAssurance",
    "Subsystem", "ExchangeService", "AccessRight", "Consent", "MessageLog",
    "Conversation", "Message",
    "BotDecision", "Certificate", "Task", "DailyStatistic",
    "Bank", "Payment", "Receipt", "ReceiptSequence", "Refund", "Discrepancy",
    "OpenDataset", "OpenResource", "ResourceVersion", "CatalogueState",
    "Complaint", "ComplaintEvent", "ComplaintPhoto", "LineReport", "Hearing", "HearingResponse", "Petition",
    "PetitionSupport", "AbuseReport", "ModerationAction",
    "PasswordReset", "LineLink", "LineLinkCode", "NoticePreference", "Appointment", "SlotLoad",
    "PrivacyRequest", "PrivacyEvent", "StaffView", "RetentionRun", "Hold", "Breach", "BreachSubject",
]
