"""What one nation sends another: versioned messages, MessagePack/JSON, Ed25519, releasability, verify().

Sender: ``report_from_assessment`` → ``mark_releasable`` (or ``recipients``) → ``seal``.
Receiver: ``Verifier(ReceiverPolicy(...)).verify(data, now)`` → ``Accepted`` or ``Rejection``.
See docs/wire.md.
"""

from trilink.wire.batch import make_batches, reports_of
from trilink.wire.codec import decode, describe, encode, from_json, open_envelope, seal, signed_bytes, to_json
from trilink.wire.convert import (
    assessment_from_report,
    covariance_matrix,
    covariance_upper,
    initial_sequence,
    report_from_assessment,
    report_status,
    track_from_report,
)
from trilink.wire.keys import KeyFileError, Signer, TrustStore, key_id_for
from trilink.wire.messages import (
    SCHEMA_VERSION,
    AlertArea,
    AlertMsgType,
    AlertNotice,
    AlertResponse,
    Envelope,
    Heartbeat,
    ImpactPoint,
    LaunchPoint,
    Message,
    MessageKind,
    NodeState,
    ReportBatch,
    ReportStatus,
    StateVector,
    TrackReport,
    kind_of,
    message_id,
)
from trilink.wire.release import mark_releasable, recipients, release_problem
from trilink.wire.sanity import message_problem
from trilink.wire.verify import (
    MAX_BATCH_BYTES,
    MAX_MESSAGE_BYTES,
    Accepted,
    Reason,
    ReceiverPolicy,
    Rejection,
    ReplayWindow,
    Verifier,
    check,
)

__all__ = [
    "MAX_BATCH_BYTES", "MAX_MESSAGE_BYTES", "SCHEMA_VERSION", "Accepted", "AlertArea", "AlertMsgType",
    "AlertNotice",
    "AlertResponse", "Envelope", "Heartbeat", "ImpactPoint", "KeyFileError", "LaunchPoint",
    "Message", "MessageKind", "NodeState", "Reason", "ReceiverPolicy", "Rejection", "ReplayWindow",
    "ReportBatch", "ReportStatus", "Signer", "StateVector", "TrackReport", "TrustStore", "Verifier",
    "assessment_from_report", "check", "covariance_matrix", "covariance_upper", "decode", "describe",
    "encode", "from_json", "initial_sequence", "key_id_for", "kind_of", "make_batches", "mark_releasable",
    "message_id",
    "message_problem",
    "open_envelope", "recipients", "release_problem", "report_from_assessment", "report_status", "reports_of",
    "seal",
    "signed_bytes", "to_json", "track_from_report",
]
