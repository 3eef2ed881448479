"""The composition root of a function: settings, adapters and reference data, each built once per
process on first use (cold start pays only for what a request touches). Composition only: the AWS
calls are in `aduan.aws`. Any adapter can be given instead (the in-memory fakes of the tests), so a
handler can run without AWS."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aduan.doors.settings import MissingConfiguration, Settings, load_settings

if TYPE_CHECKING:
    from aduan.domain.ports import (
        BatchQueue,
        Channels,
        ComplaintRepository,
        Conversations,
        DueIndex,
        EvidenceBucket,
        Ledger,
        MessageQueue,
        RetryQueue,
        UserPool,
    )
    from aduan.domain.reference import ReferenceData

REFERENCE_TTL_SECONDS = 300.0  # agencies and rules are data: a change reaches every function in 5 minutes
T = TypeVar("T")


class Runtime:
    def __init__(self, settings: Settings, **adapters: Any) -> None:
        """`adapters` (by accessor name: complaints=..., notification_queue=...) replace the AWS ones."""
        self.settings = settings
        self._adapters: dict[str, Any] = dict(adapters)
        self._reference_loaded = 0.0

    @classmethod
    def from_environment(cls, *required: str) -> Runtime:
        """Fails at import, naming the variables, when the template forgot any of `required`."""
        return cls(load_settings(*required))

    def _once(self, name: str, build: Callable[[], T]) -> T:
        if name not in self._adapters:
            self._adapters[name] = build()
        adapter: T = self._adapters[name]
        return adapter

    def complaints(self) -> ComplaintRepository:
        def build() -> ComplaintRepository:
            from aduan.aws.clients import client, secret
            from aduan.aws.complaint_store import DynamoComplaintStore

            return DynamoComplaintStore(
                client("dynamodb"),
                self.settings.table_name,
                reporter_secret=lambda: secret(self.settings.reporter_key_secret).encode(),
                shards=self.settings.due_shards,
            )

        return self._once("complaints", build)

    def access_code_key(self) -> bytes:
        """The pepper of access-code hashes, derived from the reporter-key secret (which the store
        fetches anyway: no second secret to fetch at cold start)."""

        def build() -> bytes:
            from aduan.aws.clients import secret
            from aduan.domain.tracking import access_code_key

            return access_code_key(secret(self.settings.reporter_key_secret).encode())

        return self._once("access_code_key", build)

    def due_index(self) -> DueIndex:
        """The due index alone: the deadline check reads it without loading the complaint model."""

        def build() -> DueIndex:
            from aduan.aws.clients import client
            from aduan.aws.due_index import DueIndexReader

            return DueIndexReader(
                client("dynamodb"), self.settings.table_name, shards=self.settings.due_shards
            )

        return self._once("due_index", build)

    def _queue(self, name: str, url: str) -> Any:
        def build() -> Any:
            from aduan.aws.clients import client
            from aduan.aws.queues import SqsQueue

            return SqsQueue(client("sqs"), url)

        return self._once(name, build)

    def routing_queue(self) -> RetryQueue:
        queue: RetryQueue = self._queue("routing_queue", self.settings.routing_queue_url)
        return queue

    def notification_queue(self) -> RetryQueue:
        queue: RetryQueue = self._queue("notification_queue", self.settings.notification_queue_url)
        return queue

    def escalation_queue(self) -> BatchQueue:
        queue: BatchQueue = self._queue("escalation_queue", self.settings.escalation_queue_url)
        return queue

    def whatsapp_queue(self) -> BatchQueue:
        queue: BatchQueue = self._queue("whatsapp_queue", self.settings.whatsapp_queue_url)
        return queue

    def conversations(self) -> Conversations:
        def build() -> Conversations:
            from aduan.aws.clients import client, secret
            from aduan.aws.conversations import DynamoConversations

            return DynamoConversations(
                client("dynamodb"),
                self.settings.table_name,
                lambda: secret(self.settings.reporter_key_secret).encode(),
            )

        return self._once("conversations", build)

    def attachment_queue(self) -> MessageQueue:
        queue: MessageQueue = self._queue("attachment_queue", self.settings.attachment_queue_url)
        return queue

    def evidence_bucket(self) -> EvidenceBucket:
        """The evidence bucket, built on first use: a public read never builds it. A function
        that does not require EVIDENCE_BUCKET at import finds it missing here, by name."""

        def build() -> EvidenceBucket:
            from aduan.aws.clients import s3_client
            from aduan.aws.evidence_bucket import S3EvidenceBucket

            if not self.settings.evidence_bucket:
                raise MissingConfiguration("the function's template must set EVIDENCE_BUCKET")
            return S3EvidenceBucket(s3_client(), self.settings.evidence_bucket)

        return self._once("evidence_bucket", build)

    def ledger(self) -> Ledger:
        def build() -> Ledger:
            from aduan.aws.clients import client
            from aduan.aws.ledger import NotificationLedger

            return NotificationLedger(client("dynamodb"), self.settings.table_name)

        return self._once("ledger", build)

    def channels(self) -> Channels:
        def build() -> Channels:
            from aduan.aws.channels import SesEmail, SnsSms, Webhook
            from aduan.aws.clients import client, secret
            from aduan.domain.ports import Channels

            return Channels(
                sms=SnsSms(client("sns")),
                email=SesEmail(client("sesv2"), self.settings.sender_email),
                # The master key: each agency's is derived from it (aduan.domain.webhooks).
                webhook=Webhook(secret(self.settings.webhook_secret)),
                whatsapp=self.whatsapp_cloud(),
            )

        return self._once("channels", build)

    def whatsapp_cloud(self) -> Any:
        """Meta's Cloud API (sending, and the files citizens send), where the template gives the
        function its access token; None where it does not."""
        if not self.settings.whatsapp_access_token:
            return None

        def build() -> Any:
            from aduan.aws.clients import secret
            from aduan.aws.whatsapp_cloud import WhatsAppCloud

            settings = self.settings
            return WhatsAppCloud(
                settings.whatsapp_graph_url,
                settings.whatsapp_phone_number_id,
                lambda: secret(settings.whatsapp_access_token),  # fetched on first use
            )

        return self._once("whatsapp_cloud", build)

    def user_pool(self) -> UserPool:
        def build() -> UserPool:
            from aduan.aws.clients import client
            from aduan.aws.cognito import CognitoUserPool

            return CognitoUserPool(
                client("cognito-idp"), self.settings.user_pool_client_id, self.settings.user_pool_id
            )

        return self._once("user_pool", build)

    def sms_gateway_token(self) -> str:
        """The SMS gateway's auth token, which signs its webhooks (a secret, fetched once)."""
        return self._secret("sms_gateway_token", self.settings.sms_token_secret)

    def whatsapp_app_secret(self) -> str:
        """Meta's app secret, which signs its webhooks (fetched once)."""
        return self._secret("whatsapp_app_secret", self.settings.whatsapp_app_secret)

    def whatsapp_verify_token(self) -> str:
        """The token Meta's subscription check must name (fetched once)."""
        return self._secret("whatsapp_verify_token", self.settings.whatsapp_verify_token)

    def _secret(self, name: str, arn: str) -> str:
        """The secret `arn`, fetched on first use and kept under `name` (a test may give it)."""

        def build() -> str:
            from aduan.aws.clients import secret

            return secret(arn)

        return self._once(name, build)

    def origin_secret(self) -> str:
        """What CloudFront adds to every request it passes on (`aduan.doors.edge`), fetched once."""
        return self._secret("origin_secret", self.settings.origin_secret)

    def reference(self) -> ReferenceData:
        """Agencies, categories, rules and regions from the table, reloaded every few minutes (a
        reference given to the constructor is kept as it is)."""
        given = self._adapters.get("reference")
        stale = time.monotonic() - self._reference_loaded > REFERENCE_TTL_SECONDS
        if given is None or (stale and self._reference_loaded):
            from aduan.aws.clients import client
            from aduan.aws.reference_store import DynamoReferenceStore

            self._adapters["reference"] = DynamoReferenceStore(
                client("dynamodb"), self.settings.table_name
            ).load()
            self._reference_loaded = time.monotonic()
        reference: ReferenceData = self._adapters["reference"]
        return reference
