"""The composition root of a function: settings, adapters and reference data, each built once
per process on first use (cold start pays only for what a request touches)."""

from __future__ import annotations

import time
from functools import cached_property
from typing import TYPE_CHECKING, Any

from aduan.settings import Settings, load_settings

if TYPE_CHECKING:
    from aduan.aws.due import DueIndexReader
    from aduan.aws.queues import SqsQueue
    from aduan.aws.store import DynamoComplaintStore, NotificationLedger
    from aduan.notify import Channels
    from aduan.reference import ReferenceData

REFERENCE_TTL_SECONDS = 300.0  # agencies and rules are data: a change reaches every function in 5 minutes


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._reference: ReferenceData | None = None
        self._reference_loaded = 0.0

    @classmethod
    def from_environment(cls, *required: str) -> Runtime:
        """Fails at import, naming the variables, when the template forgot any of `required`."""
        return cls(load_settings(*required))

    @cached_property
    def _complaints(self) -> DynamoComplaintStore:
        from aduan.aws.clients import client, secret
        from aduan.aws.store import DynamoComplaintStore

        return DynamoComplaintStore(
            client("dynamodb"),
            self.settings.table_name,
            reporter_secret=lambda: secret(self.settings.reporter_key_secret).encode(),
            shards=self.settings.due_shards,
        )

    def complaints(self) -> DynamoComplaintStore:
        return self._complaints

    @cached_property
    def _due_index(self) -> DueIndexReader:
        from aduan.aws.clients import client
        from aduan.aws.due import DueIndexReader

        return DueIndexReader(client("dynamodb"), self.settings.table_name, shards=self.settings.due_shards)

    def due_index(self) -> DueIndexReader:
        """The due index alone: the deadline check reads it without loading the complaint model."""
        return self._due_index

    def _queue(self, url: str) -> SqsQueue:
        from aduan.aws.clients import client
        from aduan.aws.queues import SqsQueue

        return SqsQueue(client("sqs"), url)

    @cached_property
    def _routing_queue(self) -> SqsQueue:
        return self._queue(self.settings.routing_queue_url)

    def routing_queue(self) -> SqsQueue:
        return self._routing_queue

    @cached_property
    def _notification_queue(self) -> SqsQueue:
        return self._queue(self.settings.notification_queue_url)

    def notification_queue(self) -> SqsQueue:
        return self._notification_queue

    @cached_property
    def _escalation_queue(self) -> SqsQueue:
        return self._queue(self.settings.escalation_queue_url)

    def escalation_queue(self) -> SqsQueue:
        return self._escalation_queue

    @cached_property
    def _ledger(self) -> NotificationLedger:
        from aduan.aws.clients import client
        from aduan.aws.store import NotificationLedger

        return NotificationLedger(client("dynamodb"), self.settings.table_name)

    def ledger(self) -> NotificationLedger:
        return self._ledger

    @cached_property
    def _channels(self) -> Channels:
        from aduan.aws.channels import SesEmail, SnsSms, Webhook
        from aduan.aws.clients import client, secret
        from aduan.notify import Channels

        return Channels(
            sms=SnsSms(client("sns")),
            email=SesEmail(client("sesv2"), self.settings.sender_email),
            webhook=Webhook(secret(self.settings.webhook_secret)),
        )

    def channels(self) -> Channels:
        return self._channels

    def retry_later(self, receipt_handle: str, attempt: int, delay: int | None = None) -> None:
        """Hold a failed message back: base x 2^(attempt-1) seconds, at most 15 minutes."""
        from aduan.aws.clients import client

        if delay is None:
            delay = min(self.settings.retry_base_seconds * 2 ** max(attempt - 1, 0), 900)
        client("sqs").change_message_visibility(
            QueueUrl=self.settings.notification_queue_url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=delay,
        )

    def sign_in(self, username: str, password: str) -> dict[str, Any] | None:
        """An operator's ID token from the user pool, or None for wrong credentials."""
        from botocore.exceptions import ClientError

        from aduan.aws.clients import client, error_code

        try:
            result = client("cognito-idp").initiate_auth(
                ClientId=self.settings.user_pool_client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as error:
            if error_code(error) in (
                "NotAuthorizedException",
                "UserNotFoundException",
            ):
                return None
            raise
        tokens = result.get("AuthenticationResult") or {}
        if "IdToken" not in tokens:
            return None  # a challenge (new password required): not for the console
        return {"token": tokens["IdToken"], "expires_in": tokens.get("ExpiresIn", 3600)}

    def reference(self) -> ReferenceData:
        """Agencies, categories, rules and regions from the table, reloaded every few minutes."""
        if self._reference is None or time.monotonic() - self._reference_loaded > REFERENCE_TTL_SECONDS:
            from aduan.aws.clients import client
            from aduan.aws.reference import DynamoReferenceStore

            self._reference = DynamoReferenceStore(client("dynamodb"), self.settings.table_name).load()
            self._reference_loaded = time.monotonic()
        return self._reference
